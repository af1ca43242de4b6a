import { registry } from "@web/core/registry";

// Customers of the test (crm_security/tests/test_matrix_tour.py), all named "Lotus ... Ltd",
// owned by somebody else than the Customer Care user who searches them.
const VISIBLE_BEFORE = "Lotus Customer Ltd";
const GRANTED = "Lotus Returning Ltd";
const NEVER = "Lotus Opportunity Ltd";

function searchLotus() {
    return [
        {
            content: "Search the Lotus customers",
            trigger: ".o_searchview_input",
            run: "edit Lotus",
        },
        {
            content: "Validate the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search is applied",
            trigger: ".o_searchview_facet:contains(Lotus)",
        },
    ];
}

/** Every card of the kanban is one of `names`, and each of them is there. */
function listedExactly(names) {
    const others = names.map((name) => `:not(:contains(${name}))`).join("");
    return [
        ...names.map((name) => ({
            content: `${name} is listed`,
            trigger: `.o_kanban_record:not(.o_kanban_ghost):contains(${name})`,
        })),
        {
            content: `Nothing but ${names.join(", ")} is listed`,
            trigger: `.o_kanban_view:not(:has(.o_kanban_record:not(.o_kanban_ghost)${others}))`,
        },
    ];
}

registry.category("web_tour.tours").add("crm_security_matrix_care_before", {
    steps: () => [
        ...searchLotus(),
        ...listedExactly([VISIBLE_BEFORE]),
        {
            content: "The customer of the stage Customer Care may not see yet is absent",
            trigger: `.o_kanban_view:not(:has(.o_kanban_record:contains(${GRANTED})))`,
        },
    ],
});

registry.category("web_tour.tours").add("crm_security_matrix_care_after", {
    steps: () => [
        ...searchLotus(),
        ...listedExactly([VISIBLE_BEFORE, GRANTED]),
        {
            content: "The customer of a stage Customer Care still may not see is absent",
            trigger: `.o_kanban_view:not(:has(.o_kanban_record:contains(${NEVER})))`,
        },
    ],
});

registry.category("web_tour.tours").add("crm_security_matrix_configure", {
    steps: () => [
        {
            content: "Open the row of the Customer Care department",
            trigger: ".o_list_view .o_data_row td[name=department_id]:contains(Customer Care)",
            run: "click",
        },
        {
            content: "The stage Returning customer is not visible to Customer Care yet",
            trigger:
                ".o_field_widget[name=cell_ids] .o_data_row:contains(Returning customer) " +
                ".o_field_widget[name=access] input[data-value=none]:checked",
        },
        {
            content: "Edit the cell of the stage Returning customer",
            trigger: ".o_field_widget[name=cell_ids] .o_data_row:contains(Returning customer) td[name=access]",
            run: "click",
        },
        {
            content: "Let Customer Care read the returning customers",
            trigger:
                ".o_field_widget[name=cell_ids] .o_data_row.o_selected_row " +
                ".o_field_widget[name=access] input[data-value=read]:enabled",
            run: "click",
        },
        {
            content: "The row is changed",
            trigger: ".o_form_dirty",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save:enabled",
            run: "click",
        },
        {
            content: "Saved: Customer Care reads the returning customers",
            trigger:
                ".o_form_saved .o_field_widget[name=cell_ids] .o_data_row:contains(Returning customer) " +
                ".o_field_widget[name=access] input[data-value=read]:checked",
        },
    ],
});
