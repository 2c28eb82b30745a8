"""factory_boy factories for campaigns: a campaign of the school, a deliverable, a draft.

Rules (who may submit, the states a submission passes through) live in the services; tests
that mean those rules go through campaigns.services. These make the rows a test stands on."""

import datetime as dt

import factory
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Deliverable,
    DeliverableKind,
    Submission,
    SubmissionState,
)
from members.tests.factories import UserFactory
from orgs.tests.factories import default_school


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"2020年「四个一」行动{n}")
    year = 2020
    org = factory.LazyFunction(default_school)
    created_by = factory.SubFactory(UserFactory)


class DeliverableFactory(factory.django.DjangoModelFactory[Deliverable]):
    class Meta:
        model = Deliverable

    campaign = factory.SubFactory(CampaignFactory)
    kind = DeliverableKind.STORY
    name = "战疫故事汇"
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class SubmissionFactory(factory.django.DjangoModelFactory[Submission]):
    """A draft of the campaign's own org unless `org` is given (a unit, usually)."""

    class Meta:
        model = Submission

    deliverable = factory.SubFactory(DeliverableFactory)
    org = factory.LazyAttribute(lambda s: s.deliverable.campaign.org)
    title = factory.Sequence(lambda n: f"战疫故事{n}")
    summary = "支部党员讲述身边的战疫故事。"
    state = SubmissionState.DRAFT
    created_by = factory.SubFactory(UserFactory)
