from ninja import NinjaAPI

api = NinjaAPI(title="党建工作平台 API", version="1.0", urls_namespace="api")
