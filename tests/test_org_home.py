"""Issue 18: "The administration's home links only to statistics: link billing, reports and the
organisation's comparison from it." """

from django.utils import timezone


def test_the_administration_home_links_comparison_billing_and_reports(olga_client, unit_a):
    org = unit_a.organisation.slug
    page = olga_client.get(f"/org/{org}/").content.decode()
    year = timezone.localdate().year - 1
    for url in (f"/org/{org}/stats/", f"/org/{org}/billing/", f"/org/{org}/reports/{year}/",
                f"/{unit_a.slug}/stats/", f"/{unit_a.slug}/reports/"):
        assert f'href="{url}"' in page, url
    for url in (f"/org/{org}/stats/", f"/org/{org}/billing/", f"/org/{org}/reports/{year}/"):
        assert olga_client.get(url, follow=True).status_code == 200, url
