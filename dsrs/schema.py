"""The OpenAPI description of what every operation shares: the errors it can answer and the links between
operations on one record."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

from dsrs.api import error_schema

ERROR_DESCRIPTIONS = {
    "400": "invalid fields or parameters, each named in `fields`",
    "401": "no valid credentials",
    "403": "your role, scopes or regions do not allow it",
    "404": "no such record, or not one you may see",
    "405": "the path names another resource of the API, which does not take this method "
           "(e.g. GET /api/v1/households/lookup)",
    "413": "the body is larger than the API takes",
    "415": "the body is not application/json",
    "429": "too many requests (or failed logins); try again later",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with every error an operation can answer described in the error shape:
    400 always (a bad parameter or body), 401/403 where a caller must be allowed, 404 where the path names
    a record (and 405, for a value that names a sibling route), 413/415 where a body is read, 429 where
    requests are throttled."""

    def _get_response_bodies(self, direction="response"):
        # drf-spectacular (0.30.0, pinned) builds every operation's responses here, overrides included.
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(error_schema(), code, direction=direction)
                responses[code]["description"] = ERROR_DESCRIPTIONS[code]
        return responses

    def _postprocess_serializer_schema(self, schema, serializer, direction):
        """A serializer's `request_schema` (e.g. `additionalProperties: false` where unknown fields are
        refused) goes into its request component, so the schema offers only what the endpoint takes."""
        schema = super()._postprocess_serializer_schema(schema, serializer, direction)
        if direction == "request":
            schema.update(getattr(serializer, "request_schema", {}))
        return schema

    def _error_codes(self) -> list[str]:
        view = self.view
        codes = ["400"]
        if not all(isinstance(p, AllowAny) for p in view.get_permissions()):
            codes += ["401", "403"]
        if "{" in self.path:
            codes += ["404", "405"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if view.get_throttles():
            codes.append("429")
        return codes


def openapi_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: OpenAPI links, so that stateful clients (and fuzzers) can follow a
    record from the answer that created it to every operation on it. `POST /things` answering 201 with an `id`
    links to each operation of `/things/{thing_id}...`, and each of those to the others with the same id."""
    paths = result.get("paths", {})
    for collection, methods in paths.items():
        records = [(path, path[len(collection) + 2:].split("}")[0]) for path in paths
                   if path.startswith(collection + "/{")]
        targets = [(op["operationId"], param, path) for path, param in records
                   for op in paths[path].values() if "operationId" in op]
        created = methods.get("post", {}).get("responses", {}).get("201")
        if created is not None and targets:
            created["links"] = {op_id: {"operationId": op_id, "parameters": {param: "$response.body#/id"}}
                                for op_id, param, _ in targets}
        for path, param in records:
            for operation in paths[path].values():
                answered = operation.get("responses", {}).get("200")
                if answered is not None:
                    answered["links"] = {op_id: {"operationId": op_id, "parameters": {param: f"$request.path.{param}"}}
                                         for op_id, other_param, _ in targets if other_param == param
                                         and op_id != operation.get("operationId")}
    return result
