import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_security_settings", {
    steps: () => [
        {
            content: "The Customer Data Protection block is in CRM settings",
            trigger: "#crm_security_private_leads",
        },
        {
            content: "Private customers is on by default",
            trigger: "#crm_security_private_customers input[type=checkbox]:checked",
        },
        {
            content: "Choose who counts as manager",
            trigger: "#crm_security_manager_mode input[data-value=team]",
            run: "click",
        },
        {
            content: "The change is pending",
            trigger: ".o_dirty_warning",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved and reloaded",
            trigger: "body:not(:has(.o_dirty_warning)) #crm_security_manager_mode input[data-value=team]:checked",
        },
    ],
});
