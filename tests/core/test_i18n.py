from django.utils.formats import date_format


def test_a_browser_asking_for_english_still_gets_french(client, db):
    # No English catalogue exists: Django's own strings (dates, form errors) must not switch
    # language in the middle of French screens.
    response = client.get("/comptes/connexion/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_month_names_are_french(db):
    import datetime

    assert date_format(datetime.date(2026, 11, 23), "j F Y") == "23 novembre 2026"
