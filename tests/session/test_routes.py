import pytest

from openqix.session.routes import RouteError, parse_route


@pytest.mark.parametrize(
    ("path", "app_id", "identity", "ttl"),
    [
        ("/app/", None, None, None),
        ("/app", None, None, None),
        ("/app/engineData", None, None, None),
        ("/app/abc", "abc", None, None),
        ("/app/abc/", "abc", None, None),
        ("/app/abc/ttl/30", "abc", None, 30),
        ("/app/abc/identity/x1/ttl/5", "abc", "x1", 5),
        ("/app/SessionApp_1?from=tmpl", "SessionApp_1", None, None),
        ("/app/my%20app", "my app", None, None),
    ],
)
def test_routes(path, app_id, identity, ttl):
    route = parse_route(path)
    assert (route.app_id, route.identity, route.ttl) == (app_id, identity, ttl)


def test_session_app_route_and_template():
    route = parse_route("/app/SessionApp_abc?from=sales")
    assert route.is_session_app and route.template_app_id == "sales"
    assert route.session_path == "/app/SessionApp_abc"


def test_identity_separates_session_paths():
    assert parse_route("/app/a/identity/1").session_path != parse_route("/app/a").session_path


@pytest.mark.parametrize("path", ["/", "/apps/x", "/foo/app/x", "app/x"])
def test_not_engine_routes(path):
    with pytest.raises(RouteError) as info:
        parse_route(path)
    assert not info.value.malformed


@pytest.mark.parametrize("path", ["/app/a/ttl/x", "/app/a/ttl", "/app/a/bogus/1"])
def test_malformed_routes(path):
    with pytest.raises(RouteError) as info:
        parse_route(path)
    assert info.value.malformed
