from . import actions, chain, request_context, values
