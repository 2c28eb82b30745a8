import factory

from orgs.models import Campus, Org, OrgKind


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campus
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"校区{n}")


def make_org(parent: Org | None, name: str, kind: str, **fields: object) -> Org:
    """Add a node to the tree (treebeard needs add_root / add_child, not a plain save)."""
    node = Org(name=name, kind=kind, **fields)
    return (
        Org.objects.add_root(instance=node)
        if parent is None
        else Org.objects.add_child(parent, instance=node)
    )


def make_school(name: str = "示范大学党委") -> Org:
    return make_org(None, name, OrgKind.SCHOOL_COMMITTEE)
