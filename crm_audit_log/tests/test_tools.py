import hashlib
import threading
from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..tools import request_context
from ..tools.chain import (
    GENESIS,
    ID_MARKER,
    canonical,
    copy_value,
    event_digest,
    event_digest_parts,
    first_break,
    line_canonical,
    to_json,
)
from ..tools.values import MASK, deleted_lines, is_empty, is_secret, raw_value, text_value, with_name

LINE = {"res_id": 7, "field_name": "name", "field_type": "char", "lang": None, "old_text": "Lan",
        "new_text": "Lan\tNguyễn", "is_protected": False, "old_raw": "Lan", "new_raw": "Lan\tNguyễn"}


@tagged("at_install", "-post_install")
class TestChainTools(BaseCase):
    """Hashing and canonical forms, without the ORM."""

    def test_canonical_is_deterministic_and_jsonb_stable(self):
        self.assertEqual(canonical({"b": 1.0, "a": [2.5, None]}), '{"a":[2.5,null],"b":1}')
        self.assertEqual(canonical(datetime(2026, 1, 2, 3, 4, 5, 6)), '"2026-01-02 03:04:05.000006"')
        self.assertEqual(canonical({1: "x\x00y"}), '{"1":"xy"}')

    def test_line_text_is_the_copy_row_and_matches_values_read_back(self):
        text = line_canonical(LINE)
        self.assertEqual(text, "7\tname\tchar\t\\N\tLan\tLan\\tNguyễn\tf\t\"Lan\"\t\"Lan\\\\tNguyễn\"")
        precomputed = dict(LINE, old_json=to_json(LINE["old_raw"]), new_json=to_json(LINE["new_raw"]))
        self.assertEqual(line_canonical(precomputed), text)
        self.assertEqual(copy_value(None), "\\N")
        self.assertEqual(to_json({"b": [1, 2], "a": "é"}), '{"a":"é","b":[1,2]}')

    def test_digest_covers_lines_but_not_their_order(self):
        event = {"id": 3, "model": "res.partner", "operation": "write", "create_date": datetime(2026, 1, 1)}
        other = dict(LINE, res_id=8)
        digest = event_digest(GENESIS, event, [LINE, other])
        self.assertEqual(digest, event_digest(GENESIS, event, [other, LINE]))
        self.assertNotEqual(digest, event_digest(GENESIS, event, [LINE, dict(other, new_text="forged")]))
        self.assertNotEqual(digest, event_digest("1" * 64, event, [LINE, other]))

    def test_digest_parts_give_the_digest_once_the_id_is_known(self):
        """What the database function hashes around the id it hands out is what verify rebuilds."""
        event = {"model": "res.partner", "operation": "write", "create_date": datetime(2026, 1, 1),
                 "details": {"note": "Nguyễn \"id\":1"}, "user_agent": '"id":2'}
        before, after = event_digest_parts(event, [LINE, dict(LINE, res_id=8)])
        for event_id in (1, 4242):
            text = "1" * 64 + before + str(event_id) + after
            self.assertEqual(hashlib.sha256(text.encode()).hexdigest(),
                             event_digest("1" * 64, dict(event, id=event_id), [dict(LINE, res_id=8), LINE]))
        self.assertIsNone(event_digest_parts(dict(event, details={"id": ID_MARKER}), []))

    def test_first_break_tells_link_from_content(self):
        first = {"id": 1, "operation": "create", "prev_digest": GENESIS}
        first["digest"] = event_digest(GENESIS, first, [])
        second = {"id": 2, "operation": "write", "prev_digest": first["digest"]}
        second["digest"] = event_digest(first["digest"], second, [LINE])
        lines = {2: [LINE]}
        self.assertIsNone(first_break([first, second], lines, GENESIS))
        self.assertEqual(first_break([first, dict(second, operation="unlink")], lines, GENESIS)[1], "content")
        self.assertEqual(first_break([second], lines, GENESIS)[1], "link")


@tagged("at_install", "-post_install")
class TestValueTools(BaseCase):
    def test_raw_and_text_values(self):
        self.assertEqual(raw_value("many2many", (3, 1)), [1, 3])
        self.assertEqual(raw_value("date", date(2026, 2, 1)), "2026-02-01")
        self.assertEqual(raw_value("datetime", datetime(2026, 2, 1, 8, 0)), "2026-02-01 08:00:00")
        self.assertEqual(raw_value("binary", b"1234"), {"size": 4})
        self.assertEqual(raw_value("float", 2.0), 2)
        self.assertEqual(with_name("many2one", 5, {5: "Việt Nam"}), [5, "Việt Nam"])
        self.assertEqual(text_value("many2one", [5, "Việt Nam"], names={5: "Việt Nam"}), "Việt Nam")
        self.assertEqual(text_value("many2many", [1, 2], names={1: "A"}), "A, #2")
        self.assertEqual(text_value("selection", "contact", labels={"contact": "Liên hệ"}), "Liên hệ")
        self.assertEqual(text_value("boolean", False, yes_no=("Có", "Không")), "Không")
        self.assertTrue(is_empty(False) and is_empty("") and is_empty(()) and not is_empty(0))
        self.assertTrue(is_secret("password", None) and is_secret("totp_secret", None) and is_secret("x", "."))
        self.assertFalse(is_secret("signature", None))
        self.assertEqual(len(MASK), 6)

    def test_deleted_lines_are_the_canonical_lines(self):
        """The shortcut of deletes writes exactly what `line_canonical` gives for the full line."""

        class Field:  # the attributes deleted_lines reads
            def __init__(self, name, ftype, translate=False):
                self.name, self.type, self.translate = name, ftype, translate

        names, labels, yes_no = {3: "Việt Nam", 4: "Tab\tName"}, {"invoice": "Invoice Address"}, ("Có", "Không")
        cases = [
            (Field("name", "char"), ["Lan", "A\tB\\C\nD\r", "x" * 2500, "", None, 'quote " é 中文']),
            (Field("country_id", "many2one"), [3, 4, 5, None]),
            (Field("type", "selection"), ["invoice", "other", None]),
            (Field("color", "integer"), [0, 7, -2, None]),
            (Field("partner_latitude", "float"), [0, 1.5, 10.762622, None]),
            (Field("is_company", "boolean"), [True, False]),
            (Field("category_id", "many2many"), [[3, 4], [], [9]]),
            (Field("date", "date"), ["2024-05-06", None]),
            (Field("name", "char", translate=True), [{"en_US": "Gold", "fr_FR": "Or"}, {"vi_VN": "Vàng\n"}, {}]),
        ]
        for field, values in cases:
            for protected in (False, True):
                rec_ids = list(range(1, len(values) + 1))
                lines = deleted_lines(field, rec_ids, values, protected, labels, names, yes_no)
                expected = []
                for rec_id, value in zip(rec_ids, values, strict=True):
                    pairs = ([(lang, value[lang]) for lang in sorted(value)] if field.translate else [(None, value)])
                    for lang, old in pairs:
                        if is_empty(old):
                            continue
                        raw = with_name(field.type, old, names)
                        expected.append(line_canonical({
                            "res_id": rec_id, "field_name": field.name, "field_type": field.type, "lang": lang,
                            "old_raw": raw, "new_raw": None, "is_protected": protected, "new_text": None,
                            "old_text": None if protected else text_value(field.type, raw, labels, names, yes_no),
                        }))
                self.assertEqual([line["canonical"] for line in lines], expected, (field.name, field.type, protected))


@tagged("at_install", "-post_install")
class TestRequestContext(BaseCase):
    def test_capture_is_valid_only_for_the_request_that_made_it(self):
        thread = threading.current_thread()
        had = hasattr(thread, "perf_t0")
        saved = getattr(thread, "perf_t0", None)
        try:
            thread.perf_t0 = 1.0
            request_context.capture(request_context.RequestInfo(channel="xmlrpc", ip_address="10.0.0.1"))
            self.assertEqual(request_context.current().ip_address, "10.0.0.1")
            request_context.refine(channel="api_key")
            self.assertEqual(request_context.current().channel, "api_key")
            thread.perf_t0 = 2.0  # the next request served by this thread
            self.assertIsNone(request_context.current())
        finally:
            if had:
                thread.perf_t0 = saved
            else:
                del thread.perf_t0

    def test_scopes(self):
        with request_context.channel_scope("cron"), request_context.channel_scope("server_action", keep_outer=True):
            self.assertEqual(request_context.scoped_channel(), "cron")
        self.assertIsNone(request_context.scoped_channel())
        with request_context.read_scope() as outer, request_context.read_scope() as inner:
            self.assertEqual((outer, inner), (True, False))
