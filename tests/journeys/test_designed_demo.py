from relais.journeys.demo import load_journeys_demo
from relais.journeys.models import Journey, Step
from relais.journeys.templates_catalogue import TEMPLATES


def test_demo_journeys_are_loaded_once(organization):
    created = load_journeys_demo(organization)
    assert sorted(j.template_key for j in created) == sorted(TEMPLATES)
    steps = Step.objects.filter(phase__journey__organization=organization).count()
    assert load_journeys_demo(organization) == []
    assert Journey.objects.filter(organization=organization).count() == len(TEMPLATES)
    assert Step.objects.filter(phase__journey__organization=organization).count() == steps
