import { registry } from "@web/core/registry";
import { openAuditApp } from "@crm_audit_log/../tests/tours/tour_steps";

registry.category("web_tour.tours").add("crm_audit_log_menu", {
    steps: () => [
        ...openAuditApp(),
        {
            content: "The events list is shown",
            trigger: ".o_list_view, .o_view_nocontent",
        },
        {
            content: "Switch to the pivot view",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot is shown, with its data",
            trigger: ".o_pivot table .o_pivot_header_cell_opened",
        },
    ],
});
