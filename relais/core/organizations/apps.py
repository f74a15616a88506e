from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "relais.core.organizations"
    label = "organizations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from relais.core.organizations.models import Organization, OrganizationDomain
        from relais.core.organizations.selectors import forget_hosts

        # Cached host→organization answers follow every change of branding or domains.
        for model in (Organization, OrganizationDomain):
            post_save.connect(forget_hosts, sender=model, dispatch_uid=f"forget-hosts-{model}")
            post_delete.connect(forget_hosts, sender=model, dispatch_uid=f"forget-hosts-d-{model}")
