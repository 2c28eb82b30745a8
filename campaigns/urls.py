from campaigns.urls_main import urlpatterns as main
from campaigns.urls_outputs import urlpatterns as outputs

# Two modules so the submission pages and the outputs (library, 案例集, package) grow apart.
urlpatterns = [*main, *outputs]
