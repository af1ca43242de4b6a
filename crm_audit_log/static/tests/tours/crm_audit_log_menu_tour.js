import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_audit_log_menu", {
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Audit app",
            trigger: ".o-dropdown-item[data-menu-xmlid='crm_audit_log.crm_audit_log_menu_root']",
            run: "click",
        },
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
