from . import crm_security_offboard
from . import crm_security_reveal_request
