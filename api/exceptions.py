"""Maps the errors of services and queries to HTTP answers, so views stay free of try/except;
and the errors Django raises while DRF reads a request, which Django alone would answer with
an HTML page."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from catalog.exceptions import StillInUse, VersionMismatch
from search.exceptions import SearchUnavailable


def api_exception_handler(error: Exception, context: dict) -> Response | None:
    if isinstance(error, DjangoValidationError):
        error = ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        )
    elif isinstance(error, RequestDataTooBig):
        return Response(
            {
                "detail": f"The request body is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
                "bytes.",
                "code": "request_too_large",
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(error, SuspiciousOperation):  # e.g. too many form fields; its text may be internal
        return Response(
            {"detail": "The request is malformed or exceeds a limit.", "code": "bad_request"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(error, ObjectDoesNotExist):
        return Response({"detail": "Not found.", "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
    elif isinstance(error, VersionMismatch):
        return Response(
            {
                "detail": f"The resource has changed: its current version is {error.current_version}.",
                "code": "version_mismatch",
                "current_version": error.current_version,
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": f'"{error.current_version}"'},
        )
    elif isinstance(error, StillInUse):
        return Response({"detail": str(error), "code": "in_use"}, status=status.HTTP_409_CONFLICT)
    elif isinstance(error, SearchUnavailable):
        return Response(
            {"detail": str(error), "code": "search_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    return exception_handler(error, context)
