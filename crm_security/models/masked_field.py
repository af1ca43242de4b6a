"""Text fields that mask their value, per record and per user, whenever it leaves the server.

Every Char and Text field of a masked model (customers, leads, followers, attendees) gets one
of these classes at registry setup, so the configuration can protect any of them. The value
in the cache and in the database is never touched: only what is serialised for the user
(read, search_read, web_read, web_search_read, onchange, export) is masked. Whether a value
is masked depends on `env.uid`, never on `env.su` nor on the context, which the client controls.
"""
from collections import defaultdict

from odoo import fields
from odoo.models import MetaModel


class MaskedFieldMixin:
    def convert_to_read(self, value, record, use_display_name=True):
        value = super().convert_to_read(value, record, use_display_name)
        # asked for every Char/Text value serialised: most are not protected
        spec = record._crm_security_protected().get(self.name) if value else None
        return record._crm_security_mask_protected(self.name, value, spec) if spec else value

    def convert_to_export(self, value, record):
        value = super().convert_to_export(value, record)
        spec = record._crm_security_protected().get(self.name) if value else None
        return record._crm_security_mask_protected(self.name, value, spec) if spec else value


class MaskedChar(MaskedFieldMixin, fields.Char):
    pass


class MaskedText(MaskedFieldMixin, fields.Text):
    pass


MASKED_CLASSES = {fields.Char: MaskedChar, fields.Text: MaskedText}


def install_masked_fields(model):
    """Give the Char/Text fields of `model` (set up by `_setup_base`) their masked class.

    The field is rebuilt from all its definitions, as `_setup_base` itself does when several
    modules define the same field, with the masked subclass as the last class.
    """
    cls = model.env.registry[model._name]
    definitions = defaultdict(list)
    for klass in reversed(cls._model_classes):
        if isinstance(klass, MetaModel):
            for field in klass._field_definitions:
                definitions[field.name].append(field)
    for name, field in list(cls._fields.items()):
        masked_class = MASKED_CLASSES.get(type(field))
        # related fields keep their class: their target field masks (or the model's _read_format)
        if masked_class is None or field.translate or field.related or name not in definitions:
            continue
        model._add_field(name, masked_class(_base_fields=definitions[name]))
