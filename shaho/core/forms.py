"""Form helpers shared by the apps' views and admins."""


def add_service_errors(form, exc):
    """Put a service's ValidationError on the form: on its field when the form shows it, else above the form.

    The services refuse with field-keyed Japanese messages; a view or admin form that called one shows them
    where the user typed, and a message for a field the form does not show (or hides) goes above the form.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, texts in exc.message_dict.items():
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        for message in texts:
            form.add_error(name if shown else None, message)
