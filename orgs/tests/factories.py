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


def default_school() -> Org:
    """The tree's root (the cast's school when there is one), made when the tree is empty."""
    return Org.objects.filter(depth=1).order_by("path").first() or make_school()


def default_branch() -> Org:
    """A branch of the tree, made under the school when there is none; factories put
    members there when a test does not say."""
    branch = Org.objects.filter(kind=OrgKind.BRANCH).order_by("path").first()
    return branch or make_org(default_school(), "默认党支部", OrgKind.BRANCH)
