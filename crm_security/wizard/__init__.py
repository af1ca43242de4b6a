from . import crm_security_offboard
