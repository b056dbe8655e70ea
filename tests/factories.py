"""Factories for the foundation models. App-specific factories live in tests/<app>/factories.py."""

import factory

from xinfeng.accounts.choices import Role
from xinfeng.accounts.models import RoleAssignment, User
from xinfeng.places.choices import SiteLevel
from xinfeng.places.models import Site, Venue
from xinfeng.regions.choices import RegionLevel
from xinfeng.regions.models import Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"区划{n}")
    level = RegionLevel.VILLAGE
    latitude = 29.25
    longitude = 115.8


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"实践站{n}")
    level = SiteLevel.STATION
    region = factory.SubFactory(RegionFactory)
    latitude = 29.25
    longitude = 115.8


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"活动室{n}")
    capacity = 40
    uses = ["study"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-12345")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def grant(user: User, role: Role | str, region: Region) -> User:
    RoleAssignment.objects.create(user=user, role=role, region=region)
    user.__dict__.pop("_xf_roles", None)
    return user
