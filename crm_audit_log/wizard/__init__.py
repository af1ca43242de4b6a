from . import base_import
