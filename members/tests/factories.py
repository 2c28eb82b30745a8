import factory
from django.contrib.auth.models import User

from members.models import Category, Member, PoliticalStatus


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("Test-password-123")


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    class Meta:
        model = Member

    number = factory.Sequence(lambda n: f"M{n:07d}")
    name = factory.Sequence(lambda n: f"党员{n}")
    category = Category.STAFF
    political_status = PoliticalStatus.FULL
    phone = factory.Sequence(lambda n: f"138{n:08d}")
