"""Every GET endpoint with a query string refuses a parameter it does not take, naming it: a number
sent in a URL must never be answered as if it were not there."""

import pytest
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

NUMBER = "123456789012"


def query_endpoints() -> list[str]:
    """Every GET operation of the API without path parameters: the lists and the summary."""
    paths = SchemaGenerator(urlconf=get_resolver().urlconf_name).get_schema(request=None, public=True)["paths"]
    return sorted(path for path, operations in paths.items()
                  if "get" in operations and "{" not in path and path.startswith("/api/v1/")
                  and not path.startswith(("/api/v1/schema", "/api/v1/docs")))


def test_the_api_has_the_query_endpoints_this_test_walks():
    assert {"/api/v1/households", "/api/v1/assessments", "/api/v1/payments",
            "/api/v1/analytics/summary"} <= set(query_endpoints())


@pytest.mark.parametrize("path", query_endpoints())
def test_an_unknown_query_parameter_is_refused_with_its_name_and_never_its_value(api_client, path):
    response = api_client.get(path, {"philsys_number": NUMBER, "region_code": "1300000000"})

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    takes_regions = path != "/api/v1/"  # the index takes no parameter at all
    assert list(error["fields"]) == (["philsys_number"] if takes_regions else ["philsys_number", "region_code"])
    assert "philsys_number" in error["message"]
    assert NUMBER not in response.content.decode()


@pytest.mark.parametrize("path, query", [
    ("/api/v1/households", {"cursor": "", "page_size": "10", "ordering": "pmt_score"}),
    ("/api/v1/assessments", {"page": "1", "page_size": "10"}),
    ("/api/v1/payments", {"cursor": "", "page_size": "10", "format": "json"}),
    ("/api/v1/analytics/summary", {"region_code": "1300000000"}),
])
def test_the_pagination_and_format_parameters_are_known(api_client, path, query):
    assert api_client.get(path, query).status_code == 200


@pytest.mark.parametrize("path", query_endpoints())
@pytest.mark.parametrize("size", ["0", "-1", "501", "ten"])
def test_a_page_size_that_is_not_a_whole_number_from_1_to_500_is_refused_naming_it(api_client, path, size):
    response = api_client.get(path, {"page_size": size})

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["page_size"]
