from . import (
    test_alerts,
    test_capture,
    test_http,
    test_install,
    test_integrity,
    test_operations,
    test_retention,
    test_snapshot_restore,
    test_tools,
    test_tours,
    test_visibility,
)
