"""Window actions of the audit screens (pure Python)."""


def form_action(model, res_id, **extra):
    """Open one record of `model` in its form view; `extra`: name, target, context..."""
    return dict({
        "type": "ir.actions.act_window",
        "res_model": model,
        "res_id": res_id,
        "view_mode": "form",
        "views": [(False, "form")],
    }, **extra)
