from django.urls import include, path

from api.urls import api
from home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("", include("access.urls")),
    path("orgs/", include("orgs.urls")),
    path("members/", include("members.urls")),
    path("audit/", include("audit.urls")),
    path("uploads/", include("uploads.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("rosters/", include("rosters.urls")),
    path("duty/", include("duty.urls")),
    path("meetings/", include("meetings.urls")),
    path("talks/", include("talks.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("escalations/", include("escalations.urls")),
    path("reports/", include("reports.urls")),
    path("notices/", include("notices.urls")),
    path("gates/", include("gates.urls")),
    path("care/", include("carefund.urls")),
    path("honours/", include("honours.urls")),
    path("ledger/", include("ledger.urls")),
    path("assessment/", include("assessment.urls")),
    path("showcase/", include("showcase.urls")),
    path("development/", include("development.urls")),
    path("study/", include("study.urls")),
    path("rolemodels/", include("rolemodels.urls")),
    path("api/", api.urls),
    path("", include("ops.urls")),  # /healthz, /cas/login/, /cas/logout/
]

# Chinese error pages inside the site's layout (templates/400.html … 500.html).
handler400 = "home.views.error_400"
handler403 = "home.views.error_403"
handler404 = "home.views.error_404"
handler500 = "home.views.error_500"
