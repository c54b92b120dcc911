"""Request-wide audit: a request id, pghistory context for write triggers, and an
access record for every read of PHI (see ``partners.audit``)."""

import uuid

from pghistory.middleware import HistoryMiddleware


class AuditMiddleware(HistoryMiddleware):
    """Give each request an id; database triggers store it with the user and URL on
    every change of PHI, and the access log stores it with every read."""

    def get_context(self, request):
        return {**super().get_context(request), "request_id": str(request.request_id)}

    def __call__(self, request):
        from partners.audit import access_record_for_response

        request.request_id = uuid.uuid4()
        response = super().__call__(request)
        access_record_for_response(request=request, response=response)
        return response
