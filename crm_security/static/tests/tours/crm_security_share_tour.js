import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_security_share", {
    steps: () => [
        {
            content: "Open the Sharing tab of the customer",
            trigger: ".o_notebook a.nav-link:contains(Sharing)",
            run: "click",
        },
        {
            content: "Share it",
            trigger: "button[name=action_crm_security_share]",
            run: "click",
        },
        {
            content: "Choose the colleague",
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Oscar",
        },
        {
            content: "Pick Oscar Outsider",
            trigger: ".o-autocomplete--dropdown-item a:contains(Oscar Outsider)",
            run: "click",
        },
        {
            content: "Give a reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Joint customer visit",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The share is listed on the customer",
            trigger: ".o_field_widget[name=crm_security_share_ids] .o_data_row:contains(Oscar Outsider)",
        },
    ],
});

function findCustomer(name) {
    return [
        {
            content: "Search the customer",
            trigger: ".o_searchview_input",
            run: `edit ${name}`,
        },
        {
            content: "Validate the search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
    ];
}

registry.category("web_tour.tours").add("crm_security_recipient_sees", {
    steps: () => [
        ...findCustomer("Zanzibar"),
        {
            content: "The shared customer is listed",
            trigger: ".o_kanban_record:contains(Zanzibar Secret Trading)",
        },
    ],
});

registry.category("web_tour.tours").add("crm_security_recipient_does_not_see", {
    steps: () => [
        ...findCustomer("Zanzibar"),
        {
            content: "The search is applied",
            trigger: ".o_searchview_facet:contains(Zanzibar)",
        },
        {
            content: "Nothing is listed",
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:not(.o_kanban_ghost)))",
        },
    ],
});

registry.category("web_tour.tours").add("crm_security_masked_reveal", {
    steps: () => [
        {
            content: "The e-mail is masked, with a lock",
            trigger: ".o_field_widget[name=email] .o_crm_security_masked",
        },
        {
            content: "No mailto link on the masked value",
            trigger: ".o_field_widget[name=email]:not(:has(a[href^=mailto]))",
        },
        {
            content: "Ask to reveal",
            trigger: "button[name=action_crm_security_reveal]",
            run: "click",
        },
        {
            content: "Choose the e-mail",
            trigger: ".modal .o_field_widget[name=field_name] select",
            run: 'select "email"',
        },
        {
            content: "Give a reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Customer called back about the contract",
        },
        {
            content: "Reveal",
            trigger: ".modal-footer button[name=action_reveal]",
            run: "click",
        },
        {
            content: "The real e-mail is shown",
            trigger: ".o_field_widget[name=email]:not(:has(.o_crm_security_masked)):has(a[href='mailto:zanzibar.boss@secret-mail.vn'])",
        },
    ],
});
