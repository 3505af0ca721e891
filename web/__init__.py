"""The browser application's shell, shared by every app's views: the dealer the user works at
now, the header's navigation and the one helper that turns a service's refusal into form
errors or a message. Each app keeps its own views, forms and templates; `templates/base.html`
is the page they all extend."""
