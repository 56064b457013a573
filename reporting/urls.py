from . import report_urls

app_name = "reporting"

urlpatterns = [*report_urls.urlpatterns]
