from django.urls import include, path

from api.urls import api

urlpatterns = [
    path("", include("access.urls")),
    path("orgs/", include("orgs.urls")),
    path("members/", include("members.urls")),
    path("audit/", include("audit.urls")),
    path("uploads/", include("uploads.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("rosters/", include("rosters.urls")),
    path("duty/", include("duty.urls")),
    path("api/", api.urls),
]
