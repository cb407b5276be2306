<?php
/*
 * The prose of the test site, as the editors of a municipal "Frühe Hilfen" site write it:
 * bold labels, bullet lists, a table, an address block, an address in a sentence, an online
 * evening, a typo here and there. No custom fields: every fact is in the text. Included by
 * seed.php; the live tests read the facts back through the connector and the search API.
 */

function fhub_site_posts($cats) {
    $posts = array(
        'babymassage-kurs' => array(
            'post_title'    => 'Babymassage für Eltern und Babys',
            'post_date'     => '2024-04-02 09:00:00',
            'post_category' => array($cats['familienbildung']),
            'post_content'  => <<<'HTML'
<!-- wp:paragraph -->
<p>Sanfte Berührungen tun Ihrem Baby gut und stärken die Bindung zwischen Ihnen und Ihrem Kind. Unter Anleitung einer Kinderkrankenschwester lernen Sie einfache Massagegriffe, die Sie zu Hause weiter anwenden können.</p>
<!-- /wp:paragraph -->

<!-- wp:paragraph -->
<p><strong>Für wen:</strong> Eltern mit Babys von 6 Wochen bis 6 Monaten<br><strong>Wann:</strong> ab Dienstag, 12.01.2027, 5 Termine, jeweils 10:00–11:00 Uhr<br><strong>Wo:</strong> Familienzentrum Sieker, Osningstraße 12, 33605 Bielefeld<br><strong>Kosten:</strong> 35 € für 5 Termine<br><strong>Anmeldung:</strong> erforderlich bis zum 05.01.2027 unter Tel. 0521 51-1234</p>
<!-- /wp:paragraph -->

<!-- wp:paragraph -->
<p>Bitte bringen Sie ein großes Handtuch und eine Decke mit. Das Öl stellen wir.</p>
<!-- /wp:paragraph -->
HTML
        ),
        'internationales-elterncafe' => array(
            'post_title'    => 'Internationales Elterncafé im Stadtteilzentrum',
            'post_date'     => '2024-04-03 10:00:00',
            'post_category' => array($cats['treffpunkte']),
            'post_content'  => <<<'HTML'
<p>Neu in Bielefeld? Im Internationalen Elterncafé treffen sich Mütter und Väter aus vielen Ländern. Die Kinder spielen, die Großen trinken Tee und tauschen sich aus. Eine Sozialarbeiterin hilft bei Fragen zu Kita, Schule und Ämtern.</p>
<ul>
<li>jeden Donnerstag von 9:30 bis 11:30 Uhr</li>
<li>für Familien mit Kindern von 0 bis 6 Jahren</li>
<li>wir sprechen Deutsch, Türkisch, Arabisch und Russisch</li>
<li>kostenlos und ohne Anmeldung – kommen Sie einfach vorbei!</li>
</ul>
<p>Stadtteilzentrum Baumheide, Rabenhof 76, 33609 Bielefeld</p>
HTML
        ),
        'schwangerschaftsberatung' => array(
            'post_title'    => 'Schwangerschaftsberatung – vertraulich und kostenfrei',
            'post_date'     => '2024-04-04 11:00:00',
            'post_category' => array($cats['beratung']),
            'post_content'  => <<<'HTML'
<p>Sie sind schwanger und haben Fragen zu Mutterschutz, Elterngeld oder finanziellen Hilfen? Oder Sie wissen nicht, wie es weitergehen soll? Unsere Beraterinnen nehmen sich Zeit für Sie, auf Wunsch auch anonym.</p>
<p>Die Beratung ist kostenfrei und unterliegt der Schweigepflicht. Beratungen führen wir auf Deutsch und Englisch; für andere Sprachen organisieren wir eine Dolmetscherin. Termine nach telefonischer Vereinbarung.</p>
<address>Beratungsstelle für Schwangerschaftsfragen<br>Kreuzstraße 19a<br>33602 Bielefeld<br>Telefon 0521 96788-0</address>
HTML
        ),
        'krabbelgruppe' => array(
            'post_title'    => 'Krabbelgruppe „Kleine Füße“',
            'post_date'     => '2024-04-05 12:00:00',
            'post_category' => array($cats['treffpunkte']),
            'post_content'  => <<<'HTML'
<p>In unserer Krabbelgruppe entdecken Kinder gemeinsam mit Mama oder Papa Spiel, Bewegung und Musik. Die Gruppe wird von einer Erzieherin begleitet.</p>
<figure class="wp-block-table"><table><tbody>
<tr><td><strong>Alter</strong></td><td>1 bis 3 Jahre</td></tr>
<tr><td><strong>Zeit</strong></td><td>montags 15:00–16:30 Uhr</td></tr>
<tr><td><strong>Ort</strong></td><td>Ev. Familienzentrum Brackwede, Kirchweg 10, 33647 Bielefeld</td></tr>
<tr><td><strong>Kosten</strong></td><td>2 € pro Treffen</td></tr>
<tr><td><strong>Anmeldung</strong></td><td>nicht nötig</td></tr>
</tbody></table></figure>
HTML
        ),
        'online-elternabend' => array(
            'post_title'    => 'Online-Elternabend: Schlafen im ersten Lebensjahr',
            'post_date'     => '2024-04-08 09:30:00',
            'post_category' => array($cats['familienbildung']),
            'post_content'  => <<<'HTML'
<p>Ihr Baby schläft schlecht? Eine Kinderkrankenschwester erklärt, was im ersten Lebensjahr normal ist, gibt Tipps für ruhigere Nächte und beantwortet Ihre Fragen – bequem von zu Hause aus per Videokonferenz.</p>
<p><strong>Termin:</strong> Mittwoch, 03.02.2027, 20:00 bis 21:30 Uhr<br><strong>Teilnahme:</strong> online per Zoom, den Link erhalten Sie nach der Anmeldung<br><strong>Kosten:</strong> keine<br><strong>Sprache:</strong> Deutsch</p>
<p>Anmeldung bis zum 01.02.2027 per E-Mail an elternbildung@example.org.</p>
HTML
        ),
        'familienhebammen' => array(
            'post_title'    => 'Familienhebammen kommen zu Ihnen nach Hause',
            'post_date'     => '2024-04-09 10:30:00',
            'post_category' => array($cats['fruehe-hilfen']),
            'post_content'  => <<<'HTML'
<p>Nach der Geburt ist vieles neu und nicht immer einfach. Unsere Familienhebammen begleiten Schwangere und Familien mit Säuglingen bis zum ersten Geburtstag des Kindes – bei Ihnen zu Hause, kostenlos und so oft, wie Sie es brauchen. Rufen Sie uns einfach an: Frühe Hilfen der Stadt, Niederwall 23, 33602 Bielefeld, Telefon 0521 51-6789.</p>
HTML
        ),
        'deutschkurs-muetter' => array(
            'post_title'    => 'Deutschkurs für Mütter mit Kinderbetreuung',
            'post_date'     => '2024-04-10 08:45:00',
            'post_category' => array($cats['familienbildung']),
            'post_content'  => <<<'HTML'
<p>Sie möchten Deutsch lernen und haben kleine Kinder? In diesem Kurs lernen Mütter Deutsch für den Alltag: beim Kinderarzt, in der Kita, beim Einkaufen. Während des Unterrichts werden Ihre Kinder nebenan betreut.</p>
<ul>
<li><strong>Beginn:</strong> 18.01.2027, immer montags und mittwochs von 9 bis 11:30 Uhr</li>
<li><strong>Ort:</strong> Familienzentrum Sennestadt, Lindemann-Platz 3, 33689 Bielefeld</li>
<li><strong>Kosten:</strong> kostenlos (gefördert vom Land NRW)</li>
<li><strong>Erklärungen auch auf:</strong> Arabisch, Farsi und Ukrainisch</li>
<li><strong>Anmeldung:</strong> erforderlich, Tel. 0521 51-4455</li>
</ul>
HTML
        ),
        'papa-kind-treff' => array(
            'post_title'    => 'Papa-Kind-Treff am Samstag',
            'post_date'     => '2024-04-11 13:00:00',
            'post_category' => array($cats['treffpunkte']),
            'post_content'  => <<<'HTML'
<p>Einmal im Monat treffen sich Väter mit ihren Kindern zwischen 1 und 6 Jahren zum Spielen, Toben und für ein gemeinsames Frühstück. Jeden ersten Samstag im Monat von 10 bis 12 Uhr in der Kita Sonnenschein, Am Vorwerk 5, 33719 Bielefeld. Die Teilnahme ist kostenlos, eine Anmeldung ist nicht erforderlich. Wir freuen uns auf euch!</p>
HTML
        ),
        'kindertagespflege' => array(
            'post_title'    => 'Kindertagespflege: Beratung und Vermittlung',
            'post_date'     => '2024-04-12 09:15:00',
            'post_category' => array($cats['beratung']),
            'post_content'  => <<<'HTML'
<h3>Tagesmutter oder Tagesvater gesucht?</h3>
<p>Die Fachberatung Kindertagespflege berät Eltern kostenfrei zu allen Fragen rund um die Betreuung bei einer Tagesmutter oder einem Tagesvater und vermittelt passende Plätze für Kinder unter drei Jahren. Beratungsgespräche finden nur nach vorheriger Terminvereinbarung statt.</p>
<p><strong>Telefonische Sprechzeiten:</strong> Di und Do 9–12 Uhr<br><strong>Adresse:</strong> Fachberatung Kindertagespflege, August-Bebel-Straße 92, 33602 Bielefeld<br><strong>Kontakt:</strong> tagespflege@example.org</p>
HTML
        ),
        'geburtsvorbereitung-tuerkisch' => array(
            'post_title'    => 'Geburtsvorbereitung auf Türkisch',
            'post_date'     => '2024-04-15 14:30:00',
            'post_category' => array($cats['fruehe-hilfen']),
            'post_content'  => <<<'HTML'
<p><strong>Doğuma hazırlık kursu</strong> – ein Kurs für Schwangere und ihre Partner, gehalten von einer türkischsprachigen Hebamme auf Türkisch und Deutsch. Wir sprechen über Schwangerschaft, Geburt, Stillen und die ersten Tage mit dem Baby.</p>
<ul>
<li><strong>Wann:</strong> 7 Abende, donnerstags 18:30–20:30 Uhr, Beginn am 04.03.2027</li>
<li><strong>Wo:</strong> Hebammenpraxis Mitte, Obernstraße 40, 33602 Bielefeld</li>
<li><strong>Kosten:</strong> Die Kosten übernimmt die gesetzliche Krankenkasse.</li>
<li><strong>Anmeldung:</strong> bitte bis zum 15.02.2027, die Plätze sind begrenzt</li>
</ul>
HTML
        ),
        'impressum' => array(
            'post_type'     => 'page',
            'post_title'    => 'Impressum',
            'post_date'     => '2024-01-10 08:00:00',
            'post_content'  => <<<'HTML'
<h2>Angaben gemäß § 5 DDG</h2>
<p>Stadt Bielefeld<br>Amt für Jugend und Familie – Jugendamt<br>Niederwall 23<br>33602 Bielefeld</p>
<p><strong>Telefon:</strong> 0521 51-0<br><strong>E-Mail:</strong> jugendamt@example.org</p>
<h2>Verantwortlich für den Inhalt</h2>
<p>Die Leitung des Jugendamts, Anschrift wie oben.</p>
<p>Die Stadt ist eine Körperschaft des öffentlichen Rechts. Trotz sorgfältiger Prüfung übernehmen wir keine Haftung für die Inhalte externer Links.</p>
HTML
        ),
    );
    return array('categories' => $cats, 'posts' => $posts);
}

/*
 * What the German WordPress installer writes: "Hallo Welt!" in "Allgemein" and the
 * "Beispiel-Seite" (Debian's package installs in English; a German site shows these).
 * Returns their ids.
 */
function fhub_german_defaults() {
    wp_update_term(1, 'category', array('name' => 'Allgemein', 'slug' => 'allgemein'));
    $id = wp_update_post(wp_slash(array(
        'ID'           => 1,
        'post_title'   => 'Hallo Welt!',
        'post_name'    => 'hallo-welt',
        'post_date'    => '2024-01-01 12:00:00',
        'post_date_gmt' => '2024-01-01 11:00:00',
        'post_content' => "<!-- wp:paragraph -->\n<p>Willkommen bei WordPress. Dies ist dein erster Beitrag. Bearbeite oder lösche ihn und beginne mit dem Schreiben!</p>\n<!-- /wp:paragraph -->",
    )), true);
    $page = wp_update_post(wp_slash(array(
        'ID'           => 2,
        'post_title'   => 'Beispiel-Seite',
        'post_name'    => 'beispiel-seite',
        'post_content' => "<!-- wp:paragraph -->\n<p>Dies ist eine Beispiel-Seite. Sie unterscheidet sich von Beiträgen, da sie stets an derselben Stelle bleibt und (bei den meisten Themes) in der Website-Navigation angezeigt wird.</p>\n<!-- /wp:paragraph -->",
    )), true);
    if (is_wp_error($id) || $id !== 1 || is_wp_error($page) || $page !== 2) {
        fwrite(STDERR, "could not turn the default post and page into German\n");
        exit(1);
    }
    return array('hallo-welt' => $id, 'beispiel-seite' => $page);
}
