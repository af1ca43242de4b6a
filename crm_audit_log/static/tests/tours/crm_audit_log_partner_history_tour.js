import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_audit_log_partner_history", {
    steps: () => [
        {
            content: "Open the History tab of the customer",
            trigger: ".o_notebook .nav-link:contains(History)",
            run: "click",
        },
        {
            content: "The phone change is listed with its old and new values",
            trigger: ".o_field_widget[name=crm_audit_line_ids] .o_data_row:contains(0901 000 111):contains(0909 999 888)",
        },
        {
            content: "Open every event of the customer from the smart button",
            trigger: "button[name=action_crm_audit_history]",
            run: "click",
        },
        {
            // not the History tab of the customer's form, still shown until the list replaces it
            content: "The history lists the creation and the edit",
            trigger: ".o_view_controller.o_list_view .o_data_row:contains(Edit)",
        },
        {
            content: "Open the edit",
            trigger: ".o_view_controller.o_list_view .o_data_row:contains(Edit) .o_data_cell",
            run: "click",
        },
        {
            content: "The event shows the change",
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row:contains(0909 999 888)",
        },
    ],
});
