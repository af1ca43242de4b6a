import { registry } from "@web/core/registry";
import { openAuditApp } from "@crm_audit_log/../tests/tours/tour_steps";

registry.category("web_tour.tours").add("crm_audit_log_restore", {
    steps: () => [
        {
            content: "Show the customers as a list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Search the three customers",
            trigger: ".o_searchview_input",
            run: "edit Tour Khôi Phục",
        },
        {
            content: "Validate the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The three customers are listed",
            trigger: ".o_list_view .o_data_row:contains(Tour Khôi Phục 3)",
        },
        {
            content: "Select them all",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_cp_action_menus button",
            run: "click",
        },
        {
            content: "Delete",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Delete)",
            run: "click",
        },
        {
            content: "Confirm the deletion",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The customers are gone",
            trigger: ".o_list_view:not(:has(.o_data_row))",
        },
        ...openAuditApp(),
        {
            content: "Open the delete event",
            trigger: ".o_list_view .o_data_row:contains(Delete):contains(Contact):first .o_data_cell:first",
            run: "click",
        },
        {
            content: "Open the deleted records of the event",
            trigger: ".o_notebook .nav-link:contains(Deleted Records)",
            run: "click",
        },
        {
            content: "The event lists the deleted customers",
            trigger: ".o_form_view .o_field_widget[name=snapshot_ids] .o_data_row:contains(Tour Khôi Phục 2)",
        },
        {
            content: "Restore them",
            trigger: ".o_form_view button[name=action_crm_audit_restore]",
            run: "click",
        },
        {
            content: "Confirm the restore",
            trigger: ".modal button[name=action_restore]",
            run: "click",
        },
        {
            content: "The three customers are restored",
            trigger: ".modal .o_field_widget[name=line_ids]:contains(Tour Khôi Phục 1):contains(Tour Khôi Phục 2):contains(Tour Khôi Phục 3)",
        },
        {
            content: "Each one is marked restored",
            trigger: ".modal .o_field_widget[name=restored_count]:contains(3)",
        },
        {
            content: "Close",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Back on the event",
            trigger: ".o_form_view:not(:has(.modal))",
        },
    ],
});
