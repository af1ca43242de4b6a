from . import chain, request_context, values
