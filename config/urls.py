from django.urls import include, path

from api.urls import api

urlpatterns = [
    path("", include("access.urls")),
    path("orgs/", include("orgs.urls")),
    path("members/", include("members.urls")),
    path("audit/", include("audit.urls")),
    path("api/", api.urls),
]
