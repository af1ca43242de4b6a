/** A lock mark instead of mailto:/tel: links on values the server sent masked. */
import { patch } from "@web/core/utils/patch";
import { EmailField } from "@web/views/fields/email/email_field";
import { PhoneField } from "@web/views/fields/phone/phone_field";

const maskedMixin = {
    get crmMasked() {
        const masked = this.props.record.data.crm_security_masked_fields;
        if (!masked) {
            return false;
        }
        try {
            return JSON.parse(masked).includes(this.props.name);
        } catch {
            return false;
        }
    },
};

patch(EmailField.prototype, maskedMixin);
patch(PhoneField.prototype, maskedMixin);
