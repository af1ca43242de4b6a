from . import test_install
from . import test_owner_access
from . import test_sharing
from . import test_offboarding
from . import test_masking
from . import test_matrix
from . import test_rpc_paths
from . import test_tours
