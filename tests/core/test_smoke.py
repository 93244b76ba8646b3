from tests.conftest import client_for


def test_facilitator_home_lists_own_participant(facilitator, participant):
    response = client_for(facilitator).get("/")
    assert response.status_code == 200
    assert participant.full_name in response.content.decode()
