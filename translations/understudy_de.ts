<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Main</name>
    <message>
        <source>Understudy workbench: browse a workspace&apos;s datasets, models, runs and nodes.</source>
        <translation>Understudy-Werkbank: Datensätze, Modelle, Läufe und Knoten eines Arbeitsbereichs durchsehen.</translation>
    </message>
    <message>
        <source>Print the version and exit.</source>
        <translation>Version ausgeben und beenden.</translation>
    </message>
    <message>
        <source>Open this workspace on start.</source>
        <translation>Diesen Arbeitsbereich beim Start öffnen.</translation>
    </message>
    <message>
        <source>[WORKSPACE]</source>
        <translation>[ARBEITSBEREICH]</translation>
    </message>
    <message>
        <source>understudy: error: at most one workspace (see --help)</source>
        <translation>understudy: Fehler: höchstens ein Arbeitsbereich (siehe --help)</translation>
    </message>
</context>
<context>
    <name>WorkspaceConnection</name>
    <message>
        <source>database error: %1</source>
        <translation>Datenbankfehler: %1</translation>
    </message>
    <message>
        <source>the Qt SQLite driver (QSQLITE) is not installed (hint: install libqt6sql6-sqlite)</source>
        <translation>der Qt-SQLite-Treiber (QSQLITE) ist nicht installiert (Hinweis: libqt6sql6-sqlite installieren)</translation>
    </message>
    <message>
        <source>%1: cannot open the database: %2</source>
        <translation>%1: Datenbank kann nicht geöffnet werden: %2</translation>
    </message>
</context>
<context>
    <name>WorkspaceGroups</name>
    <message>
        <source>Datasets</source>
        <translation>Datensätze</translation>
    </message>
    <message>
        <source>No datasets yet — import one with `understudy-cli corpus import` or `corpus synth`</source>
        <translation>Noch keine Datensätze — mit `understudy-cli corpus import` oder `corpus synth` anlegen</translation>
    </message>
    <message>
        <source>No datasets yet</source>
        <translation>Noch keine Datensätze</translation>
    </message>
    <message>
        <source>Import a Kaldi data directory or a JSONL manifest with `understudy-cli corpus import`, or make the synthetic voice-assistant corpus with `understudy-cli corpus synth`.</source>
        <translation>Importieren Sie ein Kaldi-Datenverzeichnis oder ein JSONL-Manifest mit `understudy-cli corpus import`, oder erzeugen Sie das synthetische Sprachassistenten-Korpus mit `understudy-cli corpus synth`.</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>Bedingung</translation>
    </message>
    <message>
        <source>Utterances</source>
        <translation>Äußerungen</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>Stunden</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Source path</source>
        <translation>Quellpfad</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>No models yet — train one with `understudy-cli train`</source>
        <translation>Noch keine Modelle — mit `understudy-cli train` trainieren</translation>
    </message>
    <message>
        <source>No models yet</source>
        <translation>Noch keine Modelle</translation>
    </message>
    <message>
        <source>Train a teacher or a student with `understudy-cli train`. Trained models are listed here.</source>
        <translation>Trainieren Sie einen Lehrer oder einen Schüler mit `understudy-cli train`. Trainierte Modelle erscheinen hier.</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>No runs yet — start one with `understudy-cli train`</source>
        <translation>Noch keine Läufe — mit `understudy-cli train` starten</translation>
    </message>
    <message>
        <source>No runs yet</source>
        <translation>Noch keine Läufe</translation>
    </message>
    <message>
        <source>Start one with `understudy-cli features`, `targets` or `train`. Runs started from a terminal appear here while they run.</source>
        <translation>Starten Sie einen mit `understudy-cli features`, `targets` oder `train`. Im Terminal gestartete Läufe erscheinen hier, während sie laufen.</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>Übergeordnet</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>No nodes registered — runs use this machine only</source>
        <translation>Keine Knoten registriert — Läufe nutzen nur diesen Rechner</translation>
    </message>
    <message>
        <source>No nodes registered</source>
        <translation>Keine Knoten registriert</translation>
    </message>
    <message>
        <source>Runs use this machine only. Machines registered for distributed training are listed here with their CPUs, GPUs and status.</source>
        <translation>Läufe nutzen nur diesen Rechner. Für verteiltes Training registrierte Rechner erscheinen hier mit ihren CPUs, GPUs und ihrem Status.</translation>
    </message>
    <message>
        <source>SSH user</source>
        <translation>SSH-Benutzer</translation>
    </message>
    <message>
        <source>SSH port</source>
        <translation>SSH-Port</translation>
    </message>
    <message>
        <source>CPUs</source>
        <translation>CPUs</translation>
    </message>
    <message>
        <source>GPUs</source>
        <translation>GPUs</translation>
    </message>
    <message>
        <source>Workspace path</source>
        <translation>Pfad des Arbeitsbereichs</translation>
    </message>
    <message>
        <source>%1 utt.</source>
        <translation>%1 Äuß.</translation>
    </message>
    <message>
        <source>CPUs: %1</source>
        <translation>CPUs: %1</translation>
    </message>
    <message>
        <source>GPUs: %1</source>
        <translation>GPUs: %1</translation>
    </message>
    <message>
        <source>Created (UTC)</source>
        <translation>Erstellt (UTC)</translation>
    </message>
    <message>
        <source>%1 M parameters</source>
        <translation>%1 Mio. Parameter</translation>
    </message>
    <message>
        <source>Started (UTC)</source>
        <translation>Gestartet (UTC)</translation>
    </message>
    <message>
        <source>Finished (UTC)</source>
        <translation>Beendet (UTC)</translation>
    </message>
    <message>
        <source>Last seen (UTC)</source>
        <translation>Zuletzt gesehen (UTC)</translation>
    </message>
</context>
<context>
    <name>understudy::ui::MainWindow</name>
    <message>
        <source>Understudy</source>
        <translation>Understudy</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>A workspace is a folder holding workspace.db and the features, models and runs it indexes. Create one here or with `understudy-cli init`, or open an existing one.</source>
        <translation>Ein Arbeitsbereich ist ein Ordner mit workspace.db und den Merkmalen, Modellen und Läufen, die sie verzeichnet. Legen Sie hier oder mit `understudy-cli init` einen an, oder öffnen Sie einen vorhandenen.</translation>
    </message>
    <message>
        <source>&amp;New Workspace…</source>
        <translation>&amp;Neuer Arbeitsbereich…</translation>
    </message>
    <message>
        <source>Create a new workspace folder</source>
        <translation>Einen neuen Arbeitsbereichsordner anlegen</translation>
    </message>
    <message>
        <source>&amp;Open Workspace…</source>
        <translation>Arbeitsbereich ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open an existing workspace folder</source>
        <translation>Einen vorhandenen Arbeitsbereichsordner öffnen</translation>
    </message>
    <message>
        <source>&amp;Close Workspace</source>
        <translation>Arbeitsbereich &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Read the workspace again now (it is also polled)</source>
        <translation>Den Arbeitsbereich jetzt neu lesen (er wird auch laufend abgefragt)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;About Understudy</source>
        <translation>Ü&amp;ber Understudy</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>New Workspace — choose a name for the new folder</source>
        <translation>Neuer Arbeitsbereich — Namen für den neuen Ordner wählen</translation>
    </message>
    <message>
        <source>Open Workspace — choose the folder that holds workspace.db</source>
        <translation>Arbeitsbereich öffnen — den Ordner mit workspace.db wählen</translation>
    </message>
    <message>
        <source>&amp;%1 %2</source>
        <translation>&amp;%1 %2</translation>
    </message>
    <message>
        <source>No recent workspaces</source>
        <translation>Keine zuletzt geöffneten Arbeitsbereiche</translation>
    </message>
    <message>
        <source>Clear Menu</source>
        <translation>Menü leeren</translation>
    </message>
    <message>
        <source>About Understudy</source>
        <translation>Über Understudy</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Understudy&lt;/h3&gt;&lt;p&gt;A workbench for semi-supervised training of speech-recognition acoustic models after the teacher–student recipe.&lt;/p&gt;&lt;p&gt;Works today: the built-in synthetic voice-assistant corpus, importing Kaldi data directories and JSONL manifests, Kaldi-compatible fbank features, 30 ms frame targets, training a BLSTM teacher, labeling unlabeled speech with its top-k soft labels, training a streaming LSTM student on labeled and soft-labeled data, distributed training over local processes (synchronous SGD, GTC, BMUF), decoding and WER with understudy-cli, and this window, which shows a workspace&apos;s datasets, models and runs while jobs write them.&lt;/p&gt;&lt;p&gt;Planned: distributed training across machines, one-file recipes, the run wizard and live charts.&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Understudy&lt;/h3&gt;&lt;p&gt;Eine Werkbank für das halbüberwachte Training akustischer Modelle der Spracherkennung nach dem Lehrer-Schüler-Verfahren.&lt;/p&gt;&lt;p&gt;Heute verfügbar: das eingebaute synthetische Sprachassistenten-Korpus, der Import von Kaldi-Datenverzeichnissen und JSONL-Manifesten, Kaldi-kompatible Fbank-Merkmale, 30-ms-Frame-Ziele, das Training eines BLSTM-Lehrers, das Beschriften ungelabelter Sprache mit seinen Top-k-Soft-Labels, das Training eines streamingfähigen LSTM-Schülers auf gelabelten und soft-gelabelten Daten, verteiltes Training über lokale Prozesse (synchrones SGD, GTC, BMUF), Dekodierung und WER mit understudy-cli sowie dieses Fenster, das Datensätze, Modelle und Läufe eines Arbeitsbereichs zeigt, während Jobs sie schreiben.&lt;/p&gt;&lt;p&gt;Geplant: verteiltes Training über mehrere Rechner, Rezepte in einer Datei, der Lauf-Assistent und Live-Diagramme.&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>%1 — Understudy</source>
        <translation>%1 — Understudy</translation>
    </message>
</context>
<context>
    <name>understudy::ui::WorkspaceSession</name>
    <message>
        <source>Cannot open workspace</source>
        <translation>Arbeitsbereich kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Cannot create workspace</source>
        <translation>Arbeitsbereich kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>%1: unknown error</source>
        <translation>%1: unbekannter Fehler</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
</context>
<context>
    <name>understudy::ui::WorkspaceStatusBar</name>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>schema v%1</source>
        <translation>Schema v%1</translation>
    </message>
    <message>
        <source>Datasets: %1 · Models: %2 · Runs: %3 · Nodes: %4</source>
        <translation>Datensätze: %1 · Modelle: %2 · Läufe: %3 · Knoten: %4</translation>
    </message>
</context>
<context>
    <name>understudy::ui::WorkspaceTreeModel</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1+</source>
        <translation>%1+</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>understudy::ui::WorkspaceView</name>
    <message>
        <source>%1 — newest %2 shown</source>
        <translation>%1 — die neuesten %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
</context>
</TS>
