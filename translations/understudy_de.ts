<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>CliProgram</name>
    <message>
        <source>%1 is set to %2, which is not an executable file. Point %1 at understudy-cli, or unset it to use the one next to the workbench or on PATH.</source>
        <translation>%1 ist auf %2 gesetzt, das ist keine ausführbare Datei. Lassen Sie %1 auf understudy-cli zeigen oder entfernen Sie die Variable, um das Programm neben der Werkbank oder im PATH zu verwenden.</translation>
    </message>
    <message>
        <source>%1 (not set)</source>
        <translation>%1 (nicht gesetzt)</translation>
    </message>
    <message>
        <source>PATH</source>
        <translation>PATH</translation>
    </message>
    <message>
        <source>understudy-cli was not found; looked in: %1. Install understudy-cli next to the workbench or on PATH, or set %2 to its path.</source>
        <translation>understudy-cli wurde nicht gefunden; gesucht in: %1. Installieren Sie understudy-cli neben der Werkbank oder im PATH, oder setzen Sie %2 auf seinen Pfad.</translation>
    </message>
</context>
<context>
    <name>ComparisonData</name>
    <message>
        <source>Reading %1 from workspace.db failed: %2</source>
        <translation>Fehler beim Lesen %1 aus workspace.db: %2</translation>
    </message>
    <message>
        <source>datasets</source>
        <translation>der Datensätze</translation>
    </message>
    <message>
        <source>test sets</source>
        <translation>der Testsätze</translation>
    </message>
    <message>
        <source>models</source>
        <translation>der Modelle</translation>
    </message>
    <message>
        <source>evaluations</source>
        <translation>der Auswertungen</translation>
    </message>
</context>
<context>
    <name>JobEvent</name>
    <message>
        <source>not a JSON object: %1</source>
        <translation>kein JSON-Objekt: %1</translation>
    </message>
    <message>
        <source>an event needs the keys type and name</source>
        <translation>ein Ereignis braucht die Schlüssel type und name</translation>
    </message>
    <message>
        <source>event line %1: %2</source>
        <translation>Ereigniszeile %1: %2</translation>
    </message>
</context>
<context>
    <name>LabelingQualityView</name>
    <message>
        <source>cannot read the soft-label sets: %1</source>
        <translation>die Soft-Label-Sätze können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>cannot read the label summary: %1</source>
        <translation>die Beschriftungsübersicht kann nicht gelesen werden: %1</translation>
    </message>
</context>
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
    <name>NodeFields</name>
    <message>
        <source>Give the node a name.</source>
        <translation>Geben Sie dem Knoten einen Namen.</translation>
    </message>
    <message>
        <source>The name starts or ends with a space.</source>
        <translation>Der Name beginnt oder endet mit einem Leerzeichen.</translation>
    </message>
    <message>
        <source>Give a host: an address or a Host alias of your ssh config.</source>
        <translation>Geben Sie einen Host an: eine Adresse oder einen Host-Alias Ihrer ssh-Konfiguration.</translation>
    </message>
    <message>
        <source>The host starts or ends with a space.</source>
        <translation>Der Host beginnt oder endet mit einem Leerzeichen.</translation>
    </message>
    <message>
        <source>The host must not start with &apos;-&apos; (ssh would read it as an option).</source>
        <translation>Der Host darf nicht mit &apos;-&apos; beginnen (ssh würde ihn als Option lesen).</translation>
    </message>
    <message>
        <source>The ssh port must be between 1 and 65535.</source>
        <translation>Der ssh-Port muss zwischen 1 und 65535 liegen.</translation>
    </message>
    <message>
        <source>The number of GPUs cannot be negative.</source>
        <translation>Die Anzahl der GPUs darf nicht negativ sein.</translation>
    </message>
</context>
<context>
    <name>TrainingChartView</name>
    <message>
        <source>cannot read metrics from %1 (%2): %3</source>
        <translation>Metriken aus %1 können nicht gelesen werden (%2): %3</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>Frame accuracy</source>
        <translation>Frame-Genauigkeit</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Frames/s</source>
        <translation>Frames/s</translation>
    </message>
    <message>
        <source>Bytes per step</source>
        <translation>Bytes pro Schritt</translation>
    </message>
    <message>
        <source>Other metrics</source>
        <translation>Weitere Metriken</translation>
    </message>
    <message>
        <source>KD stream: loss and agreement</source>
        <translation>KD-Strom: Loss und Übereinstimmung</translation>
    </message>
</context>
<context>
    <name>UtteranceDetail</name>
    <message>
        <source>Reading %1 failed: %2</source>
        <translation>Fehler beim Lesen %1: %2</translation>
    </message>
    <message>
        <source>the utterance</source>
        <translation>der Äußerung</translation>
    </message>
    <message>
        <source>There is no utterance with id %1 in the workspace.</source>
        <translation>Im Arbeitsbereich gibt es keine Äußerung mit der ID %1.</translation>
    </message>
    <message>
        <source>the soft-label sets</source>
        <translation>der Soft-Label-Sätze</translation>
    </message>
    <message>
        <source>the models</source>
        <translation>der Modelle</translation>
    </message>
    <message>
        <source>the alignment sets</source>
        <translation>der Alignment-Sätze</translation>
    </message>
    <message>
        <source>the decoding results</source>
        <translation>der Dekodierergebnisse</translation>
    </message>
    <message>
        <source>The utterance has no audio path in the workspace.</source>
        <translation>Die Äußerung hat im Arbeitsbereich keinen Audiopfad.</translation>
    </message>
    <message>
        <source>The audio comes from a command (%1), which the workbench does not run; no waveform, spectrogram or playback.</source>
        <translation>Das Audio stammt aus einem Befehl (%1), den die Werkbank nicht ausführt; keine Wellenform, kein Spektrogramm, keine Wiedergabe.</translation>
    </message>
    <message>
        <source>The audio file %1 is gone; restore it (or import the corpus again: understudy-cli corpus import -w %2 ...).</source>
        <translation>Die Audiodatei %1 fehlt; stellen Sie sie wieder her (oder importieren Sie das Korpus erneut: understudy-cli corpus import -w %2 ...).</translation>
    </message>
    <message>
        <source>No soft labels for dataset %1; make them with: understudy-cli label -w %2 --model %3 --dataset %1</source>
        <translation>Keine Soft-Labels für Datensatz %1; erzeugen Sie sie mit: understudy-cli label -w %2 --model %3 --dataset %1</translation>
    </message>
    <message>
        <source>understudy-cli label -w %1 --model %2 --dataset %3</source>
        <translation>understudy-cli label -w %1 --model %2 --dataset %3</translation>
    </message>
    <message>
        <source>The soft-label store %1 is missing; make it again with: %2</source>
        <translation>Der Soft-Label-Speicher %1 fehlt; erzeugen Sie ihn erneut mit: %2</translation>
    </message>
    <message>
        <source>The soft labels of %1 (model %2) do not hold utterance %3 yet; labeling may still run, or resume it with: %4</source>
        <translation>Die Soft-Labels von %1 (Modell %2) enthalten Äußerung %3 noch nicht; die Beschriftung läuft vielleicht noch, oder setzen Sie sie fort mit: %4</translation>
    </message>
    <message>
        <source>understudy-cli targets -w %1 --dataset %2</source>
        <translation>understudy-cli targets -w %1 --dataset %2</translation>
    </message>
    <message>
        <source>No frame targets (true units) for dataset %1; on data with alignments make them with: %2</source>
        <translation>Keine Frame-Ziele (Referenzeinheiten) für Datensatz %1; auf Daten mit Alignments erzeugen Sie sie mit: %2</translation>
    </message>
    <message>
        <source>The targets of %1 hold no utterance %2 (rejected, or made before it was imported); remake them with: %3</source>
        <translation>Die Frame-Ziele von %1 enthalten Äußerung %2 nicht (verworfen, oder erzeugt, bevor sie importiert wurde); erzeugen Sie sie neu mit: %3</translation>
    </message>
</context>
<context>
    <name>UtteranceReader</name>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Duration (s)</source>
        <translation>Dauer (s)</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>Sprecher</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>Bedingung</translation>
    </message>
    <message>
        <source>SNR (dB)</source>
        <translation>SNR (dB)</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <source>Entropy (nats)</source>
        <translation>Entropie (nats)</translation>
    </message>
    <message>
        <source>Hypothesis</source>
        <translation>Hypothese</translation>
    </message>
    <message>
        <source>Sub</source>
        <translation>Sub</translation>
    </message>
    <message>
        <source>Del</source>
        <translation>Del</translation>
    </message>
    <message>
        <source>Ins</source>
        <translation>Ins</translation>
    </message>
    <message>
        <source>WER (%)</source>
        <translation>WER (%)</translation>
    </message>
    <message>
        <source>cannot read %1 from %2: %3</source>
        <translation>Fehler beim Lesen %1 aus %2: %3</translation>
    </message>
    <message>
        <source>the datasets</source>
        <translation>der Datensätze</translation>
    </message>
    <message>
        <source>the soft-label sets</source>
        <translation>der Soft-Label-Sätze</translation>
    </message>
    <message>
        <source>the evaluations</source>
        <translation>der Auswertungen</translation>
    </message>
    <message>
        <source>dataset %1</source>
        <translation>des Datensatzes %1</translation>
    </message>
    <message>
        <source>the conditions</source>
        <translation>der Bedingungen</translation>
    </message>
    <message>
        <source>the size of dataset %1</source>
        <translation>der Größe von Datensatz %1</translation>
    </message>
    <message>
        <source>utterance %1</source>
        <translation>der Äußerung %1</translation>
    </message>
    <message>
        <source>the utterances of dataset %1</source>
        <translation>der Äußerungen von Datensatz %1</translation>
    </message>
    <message>
        <source>not an SQLite connection</source>
        <translation>keine SQLite-Verbindung</translation>
    </message>
    <message>
        <source>utterance rows</source>
        <translation>der Äußerungszeilen</translation>
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
    <name>understudy::ui::AudioPlayer</name>
    <message>
        <source>The audio output device could not be opened (it may be in use or gone); check the system&apos;s sound settings.</source>
        <translation>Das Audioausgabegerät konnte nicht geöffnet werden (es ist vielleicht belegt oder nicht mehr vorhanden); prüfen Sie die Toneinstellungen des Systems.</translation>
    </message>
    <message>
        <source>Writing to the audio output device failed.</source>
        <translation>Schreiben auf das Audioausgabegerät fehlgeschlagen.</translation>
    </message>
    <message>
        <source>The audio output device stopped with a fatal error.</source>
        <translation>Das Audioausgabegerät wurde mit einem schweren Fehler angehalten.</translation>
    </message>
    <message>
        <source>No audio output device: playback is off (everything else works). Connect a sound device or start a sound server and reopen the workspace.</source>
        <translation>Kein Audioausgabegerät: Die Wiedergabe ist aus (alles andere funktioniert). Schließen Sie ein Audiogerät an oder starten Sie einen Soundserver und öffnen Sie den Arbeitsbereich erneut.</translation>
    </message>
    <message>
        <source>The audio output device &apos;%1&apos; cannot play 16-bit mono audio at %2 Hz.</source>
        <translation>Das Audioausgabegerät „%1“ kann kein 16-Bit-Mono-Audio mit %2 Hz wiedergeben.</translation>
    </message>
</context>
<context>
    <name>understudy::ui::ComparisonModel</name>
    <message>
        <source>one process</source>
        <translation>ein Prozess</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Its training run&apos;s config cannot be read: %1</source>
        <translation>Die Konfiguration seines Trainingslaufs kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>No training run recorded for this model.</source>
        <translation>Für dieses Modell ist kein Trainingslauf eingetragen.</translation>
    </message>
    <message>
        <source>Trained by run %1.</source>
        <translation>Trainiert von Lauf %1.</translation>
    </message>
    <message>
        <source>Datasets: %1</source>
        <translation>Datensätze: %1</translation>
    </message>
    <message>
        <source> (one of them is not in the workspace)</source>
        <translation> (einer davon ist nicht im Arbeitsbereich)</translation>
    </message>
    <message>
        <source>Not decoded on %1 yet: understudy-cli decode --model %2 --dataset %1</source>
        <translation>Noch nicht auf %1 dekodiert: understudy-cli decode --model %2 --dataset %1</translation>
    </message>
    <message>
        <source>Evaluation %1 of %2: %3 reference words, %4 utterances</source>
        <translation>Auswertung %1 vom %2: %3 Referenzwörter, %4 Äußerungen</translation>
    </message>
    <message>
        <source>
The model was trained again after it: decode it again.</source>
        <translation>
Das Modell wurde danach erneut trainiert: Dekodieren Sie es erneut.</translation>
    </message>
    <message>
        <source>
%1 of %2 utterances scored.</source>
        <translation>
%1 von %2 Äußerungen bewertet.</translation>
    </message>
    <message>
        <source>(WER of %1 − WER) / WER of %1</source>
        <translation>(WER von %1 − WER) / WER von %1</translation>
    </message>
    <message>
        <source>Substituted words on %1</source>
        <translation>Ersetzte Wörter auf %1</translation>
    </message>
    <message>
        <source>Deleted words on %1</source>
        <translation>Ausgelassene Wörter auf %1</translation>
    </message>
    <message>
        <source>Inserted words on %1</source>
        <translation>Eingefügte Wörter auf %1</translation>
    </message>
    <message>
        <source>Word error rate in % on %1: (substitutions + deletions + insertions) / reference words; the newest evaluation</source>
        <translation>Wortfehlerrate in % auf %1: (Ersetzungen + Auslassungen + Einfügungen) / Referenzwörter; die neueste Auswertung</translation>
    </message>
    <message>
        <source>Choose a baseline model</source>
        <translation>Wählen Sie ein Baseline-Modell</translation>
    </message>
    <message>
        <source>Relative WER reduction on %1 against %2: (WER_base − WER) / WER_base</source>
        <translation>Relative WER-Reduktion auf %1 gegenüber %2: (WER_base − WER) / WER_base</translation>
    </message>
    <message>
        <source>Hours of the labeled datasets its training config names (data.train)</source>
        <translation>Stunden der gelabelten Datensätze, die seine Trainingskonfiguration nennt (data.train)</translation>
    </message>
    <message>
        <source>Hours of the teacher-labeled datasets its training config names (data.soft)</source>
        <translation>Stunden der vom Lehrer beschrifteten Datensätze, die seine Trainingskonfiguration nennt (data.soft)</translation>
    </message>
    <message>
        <source>How its ranks combined their work (distribution.algorithm), or one process</source>
        <translation>Wie seine Ranks ihre Arbeit zusammengeführt haben (distribution.algorithm), oder ein Prozess</translation>
    </message>
    <message>
        <source>Training config key %1</source>
        <translation>Schlüssel %1 der Trainingskonfiguration</translation>
    </message>
    <message>
        <source>WER %</source>
        <translation>WER %</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
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
        <source>Labeled h</source>
        <translation>Gelabelt h</translation>
    </message>
    <message>
        <source>Unlabeled h</source>
        <translation>Ungelabelt h</translation>
    </message>
    <message>
        <source>Algorithm</source>
        <translation>Algorithmus</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Sub</source>
        <translation>Sub</translation>
    </message>
    <message>
        <source>Del</source>
        <translation>Del</translation>
    </message>
    <message>
        <source>Ins</source>
        <translation>Ins</translation>
    </message>
    <message>
        <source>Rel. %</source>
        <translation>Rel. %</translation>
    </message>
</context>
<context>
    <name>understudy::ui::ComparisonView</name>
    <message>
        <source>Each WER gets its relative reduction against this model&apos;s</source>
        <translation>Jede WER erhält ihre relative Reduktion gegenüber der WER dieses Modells</translation>
    </message>
    <message>
        <source>Filter…</source>
        <translation>Filtern…</translation>
    </message>
    <message>
        <source>&amp;Columns…</source>
        <translation>&amp;Spalten…</translation>
    </message>
    <message>
        <source>Choose which training config keys are columns</source>
        <translation>Wählen, welche Schlüssel der Trainingskonfiguration Spalten sind</translation>
    </message>
    <message>
        <source>&amp;Diff Only</source>
        <translation>Nur &amp;Unterschiede</translation>
    </message>
    <message>
        <source>Hide the columns whose values are equal across the selected models (all models when fewer than two are selected)</source>
        <translation>Die Spalten ausblenden, deren Werte bei den ausgewählten Modellen gleich sind (bei allen Modellen, wenn weniger als zwei ausgewählt sind)</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>CSV &amp;exportieren…</translation>
    </message>
    <message>
        <source>Save the table as shown (rows and columns) as CSV</source>
        <translation>Die Tabelle wie angezeigt (Zeilen und Spalten) als CSV speichern</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>Baseline:</source>
        <translation>Baseline:</translation>
    </message>
    <message>
        <source> in </source>
        <translation> in </translation>
    </message>
    <message>
        <source>Cannot compare the experiments</source>
        <translation>Die Experimente können nicht verglichen werden</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message numerus="yes">
        <source>%n config key(s) differ</source>
        <translation>
            <numerusform>%n Konfigurationsschlüssel unterscheidet sich</numerusform>
            <numerusform>%n Konfigurationsschlüssel unterscheiden sich</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 models, %2 test sets; %n of %3 config keys shown</source>
        <translation>
            <numerusform>%1 Modelle, %2 Testsätze; %n von %3 Konfigurationsschlüsseln angezeigt</numerusform>
            <numerusform>%1 Modelle, %2 Testsätze; %n von %3 Konfigurationsschlüsseln angezeigt</numerusform>
        </translation>
    </message>
    <message>
        <source>all columns</source>
        <translation>allen Spalten</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>Open a workspace to compare its models on its test sets.</source>
        <translation>Öffnen Sie einen Arbeitsbereich, um seine Modelle auf seinen Testsätzen zu vergleichen.</translation>
    </message>
    <message>
        <source>No models yet</source>
        <translation>Noch keine Modelle</translation>
    </message>
    <message>
        <source>Train a model (`understudy-cli run RECIPE`), then decode it on the test sets (`understudy-cli decode --model MODEL --dataset SET`): its WER appears here.</source>
        <translation>Trainieren Sie ein Modell (`understudy-cli run RECIPE`) und dekodieren Sie es dann auf den Testsätzen (`understudy-cli decode --model MODEL --dataset SET`): Seine WER erscheint hier.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Export Comparison</source>
        <translation>Vergleich exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Cannot export the comparison</source>
        <translation>Der Vergleich kann nicht exportiert werden</translation>
    </message>
    <message>
        <source>Config Columns</source>
        <translation>Konfigurationsspalten</translation>
    </message>
    <message>
        <source>Filter keys…</source>
        <translation>Schlüssel filtern…</translation>
    </message>
    <message>
        <source>Training config keys shown as columns:</source>
        <translation>Als Spalten gezeigte Schlüssel der Trainingskonfiguration:</translation>
    </message>
</context>
<context>
    <name>understudy::ui::Job</name>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>stopping</source>
        <translation>wird gestoppt</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>killed</source>
        <translation>zwangsbeendet</translation>
    </message>
    <message>
        <source>lost</source>
        <translation>verloren</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1: cannot create the folder for the job&apos;s log and events. Check that the workspace is writable.</source>
        <translation>%1: Der Ordner für Log und Ereignisse des Jobs kann nicht angelegt werden. Prüfen Sie, ob der Arbeitsbereich beschreibbar ist.</translation>
    </message>
    <message>
        <source>%1: cannot create the job&apos;s log file. Check that the workspace is writable.</source>
        <translation>%1: Die Logdatei des Jobs kann nicht angelegt werden. Prüfen Sie, ob der Arbeitsbereich beschreibbar ist.</translation>
    </message>
    <message>
        <source>%1: cannot start understudy-cli: %2 (check the path, or set UNDERSTUDY_CLI)</source>
        <translation>%1: understudy-cli kann nicht gestartet werden: %2 (prüfen Sie den Pfad oder setzen Sie UNDERSTUDY_CLI)</translation>
    </message>
    <message>
        <source>started as process %1 in a session of its own; its events go to %2. Closing the workbench does not stop it.</source>
        <translation>als Prozess %1 in einer eigenen Sitzung gestartet; seine Ereignisse gehen nach %2. Das Schließen der Werkbank stoppt ihn nicht.</translation>
    </message>
    <message>
        <source>stop: SIGTERM sent to process %1; the running step writes its checkpoint (SIGKILL in %2 s if it is still running)</source>
        <translation>Stopp: SIGTERM an Prozess %1 gesendet; der laufende Schritt schreibt seinen Checkpoint (SIGKILL in %2 s, falls er dann noch läuft)</translation>
    </message>
    <message>
        <source>SIGKILL sent to process %1: the job did not end after SIGTERM</source>
        <translation>SIGKILL an Prozess %1 gesendet: Der Job hat sich nach SIGTERM nicht beendet</translation>
    </message>
    <message>
        <source>killed with SIGKILL: SIGTERM did not end it within the grace period</source>
        <translation>mit SIGKILL beendet: SIGTERM hat ihn nicht innerhalb der Wartefrist beendet</translation>
    </message>
    <message>
        <source>stopped before the recipe recorded its run</source>
        <translation>gestoppt, bevor das Rezept seinen Lauf eingetragen hat</translation>
    </message>
    <message>
        <source>process %1 ended without recording how: it was killed outside the workbench or crashed. Its log: %2</source>
        <translation>Prozess %1 endete, ohne zu vermerken, wie: Er wurde außerhalb der Werkbank beendet oder ist abgestürzt. Sein Log: %2</translation>
    </message>
</context>
<context>
    <name>understudy::ui::JobController</name>
    <message>
        <source>the workbench window closed; the job goes on (process %1). Stop it with: kill -TERM %1</source>
        <translation>Das Fenster der Werkbank wurde geschlossen; der Job läuft weiter (Prozess %1). Stoppen mit: kill -TERM %1</translation>
    </message>
    <message>
        <source>Cannot launch the recipe</source>
        <translation>Rezept kann nicht gestartet werden</translation>
    </message>
    <message>
        <source>%1: no workspace is open. Open or create a workspace first (File → Open Workspace…).</source>
        <translation>%1: Kein Arbeitsbereich geöffnet. Öffnen oder erstellen Sie zuerst einen (Datei → Arbeitsbereich öffnen…).</translation>
    </message>
    <message>
        <source>%1: the recipe file does not exist or cannot be read. Choose a recipe YAML file (recipes/tiny.yaml is a small example).</source>
        <translation>%1: Die Rezeptdatei existiert nicht oder ist nicht lesbar. Wählen Sie eine YAML-Rezeptdatei (recipes/tiny.yaml ist ein kleines Beispiel).</translation>
    </message>
    <message>
        <source>no job selected. Select a stopped or failed run to resume it.</source>
        <translation>kein Job ausgewählt. Wählen Sie einen gestoppten oder fehlgeschlagenen Lauf, um ihn fortzusetzen.</translation>
    </message>
    <message>
        <source>%1: the job is still running. Stop it first, or wait until it ends.</source>
        <translation>%1: Der Job läuft noch. Stoppen Sie ihn zuerst oder warten Sie, bis er endet.</translation>
    </message>
</context>
<context>
    <name>understudy::ui::JobsPanel</name>
    <message>
        <source>no step yet</source>
        <translation>noch kein Schritt</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Launch Recipe</source>
        <translation>Rezept starten</translation>
    </message>
    <message>
        <source>Recipes (*.yaml *.yml);;All files (*)</source>
        <translation>Rezepte (*.yaml *.yml);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Launch Recipe…</source>
        <translation>Rezept s&amp;tarten…</translation>
    </message>
    <message>
        <source>Run a recipe file in this workspace (understudy-cli run)</source>
        <translation>Eine Rezeptdatei in diesem Arbeitsbereich ausführen (understudy-cli run)</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stoppen</translation>
    </message>
    <message>
        <source>Stop the selected job: the running step writes its checkpoint</source>
        <translation>Den ausgewählten Job stoppen: Der laufende Schritt schreibt seinen Checkpoint</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Run the selected recipe again: finished steps are reused, the interrupted one resumes</source>
        <translation>Das ausgewählte Rezept erneut ausführen: Fertige Schritte werden wiederverwendet, der unterbrochene wird fortgesetzt</translation>
    </message>
    <message>
        <source>Show recipe steps</source>
        <translation>Rezeptschritte zeigen</translation>
    </message>
    <message>
        <source>List every step of a recipe as its own run, not only the recipe</source>
        <translation>Jeden Schritt eines Rezepts als eigenen Lauf auflisten, nicht nur das Rezept</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>Select a job to see its log.</source>
        <translation>Wählen Sie einen Job, um sein Log zu sehen.</translation>
    </message>
    <message>
        <source>Cannot show the jobs of this workspace</source>
        <translation>Die Jobs dieses Arbeitsbereichs können nicht angezeigt werden</translation>
    </message>
    <message>
        <source>Cannot stop this run</source>
        <translation>Dieser Lauf kann nicht gestoppt werden</translation>
    </message>
    <message>
        <source>Run %1 was not started from this window. Stop it where it runs (Ctrl-C in its terminal, or SIGTERM to its process); it checkpoints the same way.</source>
        <translation>Lauf %1 wurde nicht aus diesem Fenster gestartet. Stoppen Sie ihn dort, wo er läuft (Strg-C in seinem Terminal oder SIGTERM an seinen Prozess); er schreibt dabei ebenso seinen Checkpoint.</translation>
    </message>
    <message>
        <source>No run is selected. Select a stopped or failed recipe run to resume it.</source>
        <translation>Kein Lauf ausgewählt. Wählen Sie einen gestoppten oder fehlgeschlagenen Rezeptlauf, um ihn fortzusetzen.</translation>
    </message>
    <message>
        <source>Run %1 is not part of a recipe; resume it from the command line (for training: understudy-cli train … --resume).</source>
        <translation>Lauf %1 gehört zu keinem Rezept; setzen Sie ihn auf der Kommandozeile fort (für ein Training: understudy-cli train … --resume).</translation>
    </message>
    <message>
        <source>Recipe run %1 is still running. Stop it first, or wait until it ends.</source>
        <translation>Rezeptlauf %1 läuft noch. Stoppen Sie ihn zuerst oder warten Sie, bis er endet.</translation>
    </message>
    <message>
        <source>%1: the recipe of run %2 is not in the workspace any more. Launch its recipe file again.</source>
        <translation>%1: Das Rezept von Lauf %2 ist nicht mehr im Arbeitsbereich. Starten Sie seine Rezeptdatei erneut.</translation>
    </message>
    <message>
        <source>Cannot resume this job</source>
        <translation>Dieser Job kann nicht fortgesetzt werden</translation>
    </message>
    <message>
        <source>%1: the job is still running. Stop it first, or wait until it ends.</source>
        <translation>%1: Der Job läuft noch. Stoppen Sie ihn zuerst oder warten Sie, bis er endet.</translation>
    </message>
    <message>
        <source>Cannot resume this run</source>
        <translation>Dieser Lauf kann nicht fortgesetzt werden</translation>
    </message>
    <message>
        <source>Log of job %1 (recipe run %2)</source>
        <translation>Log von Job %1 (Rezeptlauf %2)</translation>
    </message>
    <message>
        <source>Log of job %1</source>
        <translation>Log von Job %1</translation>
    </message>
    <message>
        <source>Log of recipe run %1, launched from a workbench window: %2</source>
        <translation>Log von Rezeptlauf %1, gestartet aus einem Werkbankfenster: %2</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>Run %1 was started outside this window: its log is in the terminal (or file) it was started with. Its status and progress here come from the workspace database.</source>
        <translation>Lauf %1 wurde außerhalb dieses Fensters gestartet: Sein Log steht im Terminal (oder in der Datei), in dem er gestartet wurde. Status und Fortschritt kommen hier aus der Datenbank des Arbeitsbereichs.</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Fehler: %1</translation>
    </message>
</context>
<context>
    <name>understudy::ui::JobsTableModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Started (UTC)</source>
        <translation>Gestartet (UTC)</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Started by</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>this window (job %1)</source>
        <translation>dieses Fenster (Job %1)</translation>
    </message>
    <message>
        <source>elsewhere</source>
        <translation>anderswo</translation>
    </message>
</context>
<context>
    <name>understudy::ui::LabelingQualityView</name>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>Soft-label &amp;set:</source>
        <translation>Soft-Label-&amp;Satz:</translation>
    </message>
    <message>
        <source>The soft-label set whose labels are shown</source>
        <translation>Der Soft-Label-Satz, dessen Labels gezeigt werden</translation>
    </message>
    <message>
        <source>Top-1 probability</source>
        <translation>Top-1-Wahrscheinlichkeit</translation>
    </message>
    <message>
        <source>top-1 probability</source>
        <translation>Top-1-Wahrscheinlichkeit</translation>
    </message>
    <message>
        <source>frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>Entropy of the stored top-k</source>
        <translation>Entropie der gespeicherten Top-k</translation>
    </message>
    <message>
        <source>entropy (nats)</source>
        <translation>Entropie (nats)</translation>
    </message>
    <message>
        <source>Unit usage</source>
        <translation>Nutzung der Einheiten</translation>
    </message>
    <message>
        <source>units, most frames first</source>
        <translation>Einheiten, häufigste zuerst</translation>
    </message>
    <message>
        <source>frames as top-1</source>
        <translation>Frames als Top-1</translation>
    </message>
    <message>
        <source>Against the truth</source>
        <translation>Gegen die Referenz</translation>
    </message>
    <message>
        <source>% of frames</source>
        <translation>% Frames</translation>
    </message>
    <message>
        <source>teacher&apos;s top-1 correct</source>
        <translation>Top-1 des Lehrers korrekt</translation>
    </message>
    <message>
        <source>truth in the top-k</source>
        <translation>Referenz in den Top-k</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Utterances</source>
        <translation>Äußerungen</translation>
    </message>
    <message>
        <source>Frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>Top-1 accuracy %</source>
        <translation>Top-1-Genauigkeit %</translation>
    </message>
    <message>
        <source>Truth in top-k %</source>
        <translation>Referenz in Top-k %</translation>
    </message>
    <message>
        <source>Cannot show the soft labels</source>
        <translation>Die Soft-Labels können nicht angezeigt werden</translation>
    </message>
    <message>
        <source>%1 · %2 (%3) · k = %4 · %5 · %6 utterances</source>
        <translation>%1 · %2 (%3) · k = %4 · %5 · %6 Äußerungen</translation>
    </message>
    <message>
        <source>This summary has no entropy histogram (it was written before they were kept).
Re-run label to compute it: understudy-cli label -w WS --dataset %1 --model %2</source>
        <translation>Diese Übersicht hat kein Entropie-Histogramm (sie wurde geschrieben, bevor es gespeichert wurde).
Führen Sie label erneut aus, um es zu berechnen: understudy-cli label -w WS --dataset %1 --model %2</translation>
    </message>
    <message>
        <source>entropy (nats; ln k = %1 is all k equally likely)</source>
        <translation>Entropie (nats; ln k = %1: alle k gleich wahrscheinlich)</translation>
    </message>
    <message>
        <source>rank of the unit (most frames first)</source>
        <translation>Rang der Einheit (häufigste zuerst)</translation>
    </message>
    <message>
        <source>No truth to compare with: the dataset has no frame targets made with the model&apos;s units
(synthetic data has them, from understudy-cli targets)</source>
        <translation>Keine Referenz zum Vergleich: Der Datensatz hat keine Frame-Ziele mit den Einheiten des Modells
(synthetische Daten haben sie, aus understudy-cli targets)</translation>
    </message>
    <message>
        <source>Dataset %1 · model %2 · k = %3 · %4 · T = %5 · %6 utterances, %7 frames</source>
        <translation>Datensatz %1 · Modell %2 · k = %3 · %4 · T = %5 · %6 Äußerungen, %7 Frames</translation>
    </message>
    <message>
        <source> · label run %1: %2</source>
        <translation> · Beschriftungslauf %1: %2</translation>
    </message>
    <message>
        <source>Labeling: %1 of %2 utterances labeled (%3 %); the charts follow each commit</source>
        <translation>Beschriftung: %1 von %2 Äußerungen beschriftet (%3 %); die Diagramme folgen jedem Commit</translation>
    </message>
    <message>
        <source>%1 of %2 utterances of %3 labeled (%4 %): understudy-cli label resumes the rest</source>
        <translation>%1 von %2 Äußerungen von %3 beschriftet (%4 %): understudy-cli label setzt den Rest fort</translation>
    </message>
    <message>
        <source>%1 of %2 utterances of %3 labeled</source>
        <translation>%1 von %2 Äußerungen von %3 beschriftet</translation>
    </message>
    <message>
        <source>Mean top-1 %1 · mean entropy %2 nats · %3 bytes/frame · %4 frames · %5 of %6 units are some frame&apos;s top-1, %7 never</source>
        <translation>Mittlere Top-1 %1 · mittlere Entropie %2 nats · %3 Bytes/Frame · %4 Frames · %5 von %6 Einheiten sind Top-1 eines Frames, %7 nie</translation>
    </message>
    <message>
        <source>The label summary of %1 cannot be read: %2</source>
        <translation>Die Beschriftungsübersicht von %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>No label summary for %1 yet: the labeler writes it at its first commit. For a set labeled before summaries were kept, run understudy-cli label -w WS --dataset %2 --model %3 again (it resumes and writes the summary).</source>
        <translation>Noch keine Beschriftungsübersicht für %1: Der Beschrifter schreibt sie bei seinem ersten Commit. Für einen Satz, der beschriftet wurde, bevor Übersichten gespeichert wurden, führen Sie understudy-cli label -w WS --dataset %2 --model %3 erneut aus (es setzt fort und schreibt die Übersicht).</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>Open a workspace to see the quality of its soft labels.</source>
        <translation>Öffnen Sie einen Arbeitsbereich, um die Qualität seiner Soft-Labels zu sehen.</translation>
    </message>
    <message>
        <source>No soft labels yet</source>
        <translation>Noch keine Soft-Labels</translation>
    </message>
    <message>
        <source>Label a dataset with a teacher, e.g. `understudy-cli label -w WS --model teacher --dataset synth-unlabeled`; its distributions show here while it runs.</source>
        <translation>Beschriften Sie einen Datensatz mit einem Lehrer, z. B. `understudy-cli label -w WS --model teacher --dataset synth-unlabeled`; seine Verteilungen erscheinen hier, während es läuft.</translation>
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
        <source>%1 — Understudy</source>
        <translation>%1 — Understudy</translation>
    </message>
    <message>
        <source>&amp;New Run…</source>
        <translation>&amp;Neuer Lauf…</translation>
    </message>
    <message>
        <source>Configure an experiment step by step, save its recipe and launch it</source>
        <translation>Ein Experiment Schritt für Schritt einrichten, sein Rezept speichern und starten</translation>
    </message>
    <message>
        <source>&amp;Open Recipe in Wizard…</source>
        <translation>&amp;Rezept im Assistenten öffnen…</translation>
    </message>
    <message>
        <source>Open a saved recipe in the run wizard to change or launch it</source>
        <translation>Ein gespeichertes Rezept im Lauf-Assistenten öffnen, um es zu ändern oder zu starten</translation>
    </message>
    <message>
        <source>Open Recipe</source>
        <translation>Rezept öffnen</translation>
    </message>
    <message>
        <source>Recipes (*.yaml *.yml);;All files (*)</source>
        <translation>Rezepte (*.yaml *.yml);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>&amp;Workspace</source>
        <translation>Arbeits&amp;bereich</translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation>&amp;Jobs</translation>
    </message>
    <message>
        <source>&amp;Charts</source>
        <translation>&amp;Diagramme</translation>
    </message>
    <message>
        <source>&amp;Nodes</source>
        <translation>&amp;Knoten</translation>
    </message>
    <message>
        <source>Datasets, models, runs and nodes of the workspace</source>
        <translation>Datensätze, Modelle, Läufe und Knoten des Arbeitsbereichs</translation>
    </message>
    <message>
        <source>Running and finished jobs, their logs; launch and stop</source>
        <translation>Laufende und abgeschlossene Jobs, ihre Logs; starten und stoppen</translation>
    </message>
    <message>
        <source>Training charts of the selected runs</source>
        <translation>Trainingsdiagramme der ausgewählten Läufe</translation>
    </message>
    <message>
        <source>Machines for distributed runs; add, edit, remove, test</source>
        <translation>Rechner für verteilte Läufe; hinzufügen, bearbeiten, entfernen, testen</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Lauf</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Werkzeugleiste</translation>
    </message>
    <message>
        <source>Workspace</source>
        <translation>Arbeitsbereich</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Jobs</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>Diagramme</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Charts (%1)</source>
        <translation>Diagramme (%1)</translation>
    </message>
    <message>
        <source>Cannot open recipe</source>
        <translation>Rezept kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Understudy&lt;/h3&gt;&lt;p&gt;A workbench for semi-supervised training of speech-recognition acoustic models after the teacher–student recipe.&lt;/p&gt;&lt;p&gt;Works today: the built-in synthetic voice-assistant corpus, importing Kaldi data directories and JSONL manifests, Kaldi-compatible fbank features, 30 ms frame targets, training a BLSTM teacher, labeling unlabeled speech with its top-k soft labels, training a streaming LSTM student on labeled and soft-labeled data, distributed training over local processes or over ssh on registered nodes (synchronous SGD, GTC, BMUF), one-file recipes, decoding and WER with understudy-cli, and this window: the workspace&apos;s datasets, models and runs while jobs write them, the run wizard, the jobs panel, live training charts and the nodes.&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;&lt;p&gt;Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Understudy&lt;/h3&gt;&lt;p&gt;Eine Werkbank für das halbüberwachte Training akustischer Modelle der Spracherkennung nach dem Lehrer-Schüler-Verfahren.&lt;/p&gt;&lt;p&gt;Heute verfügbar: das eingebaute synthetische Sprachassistenten-Korpus, der Import von Kaldi-Datenverzeichnissen und JSONL-Manifesten, Kaldi-kompatible Fbank-Merkmale, 30-ms-Frame-Ziele, das Training eines BLSTM-Lehrers, das Beschriften ungelabelter Sprache mit seinen Top-k-Soft-Labels, das Training eines streamingfähigen LSTM-Schülers auf gelabelten und soft-gelabelten Daten, verteiltes Training über lokale Prozesse oder per ssh auf registrierten Knoten (synchrones SGD, GTC, BMUF), Rezepte in einer Datei, Dekodierung und WER mit understudy-cli sowie dieses Fenster: Datensätze, Modelle und Läufe des Arbeitsbereichs, während Jobs sie schreiben, der Lauf-Assistent, die Jobübersicht, Live-Trainingsdiagramme und die Knoten.&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;&lt;p&gt;Erstellt mit Qt %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Utterances</source>
        <translation>Ä&amp;ußerungen</translation>
    </message>
    <message>
        <source>&amp;Labels</source>
        <translation>&amp;Labels</translation>
    </message>
    <message>
        <source>C&amp;ompare</source>
        <translation>&amp;Vergleich</translation>
    </message>
    <message>
        <source>A dataset&apos;s utterances: listen, see the teacher&apos;s soft labels and the decoders&apos; errors</source>
        <translation>Die Äußerungen eines Datensatzes: anhören, die Soft-Labels des Lehrers und die Fehler der Dekodierer sehen</translation>
    </message>
    <message>
        <source>How sure the teacher&apos;s soft labels are, and how often they are right</source>
        <translation>Wie sicher die Soft-Labels des Lehrers sind und wie oft sie stimmen</translation>
    </message>
    <message>
        <source>Models × test sets: word error rates, settings, differences</source>
        <translation>Modelle × Testsätze: Wortfehlerraten, Einstellungen, Unterschiede</translation>
    </message>
    <message>
        <source>Utterances</source>
        <translation>Äußerungen</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Labels</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
</context>
<context>
    <name>understudy::ui::NodeDialog</name>
    <message>
        <source>Add Node</source>
        <translation>Knoten hinzufügen</translation>
    </message>
    <message>
        <source>Edit Node %1</source>
        <translation>Knoten %1 bearbeiten</translation>
    </message>
    <message>
        <source>A node keeps its name; remove it and add it again to rename it.</source>
        <translation>Ein Knoten behält seinen Namen; zum Umbenennen entfernen und neu hinzufügen.</translation>
    </message>
    <message>
        <source>Its name in this workspace; recipes and train --nodes use it.</source>
        <translation>Sein Name in diesem Arbeitsbereich; Rezepte und train --nodes verwenden ihn.</translation>
    </message>
    <message>
        <source>gpu1.lab, 10.0.0.7 or a Host alias</source>
        <translation>gpu1.lab, 10.0.0.7 oder ein Host-Alias</translation>
    </message>
    <message>
        <source>An address or a Host alias of your ssh config.</source>
        <translation>Eine Adresse oder ein Host-Alias Ihrer ssh-Konfiguration.</translation>
    </message>
    <message>
        <source>the ssh config&apos;s, or yours</source>
        <translation>aus der ssh-Konfiguration, sonst Ihrer</translation>
    </message>
    <message>
        <source>The ssh user. Empty: the ssh config&apos;s, or your own user name.</source>
        <translation>Der ssh-Benutzer. Leer: der aus der ssh-Konfiguration, sonst Ihr eigener Benutzername.</translation>
    </message>
    <message>
        <source>The ssh port. 22 leaves it to the ssh config.</source>
        <translation>Der ssh-Port. Bei 22 entscheidet die ssh-Konfiguration.</translation>
    </message>
    <message>
        <source>as many as the test finds</source>
        <translation>so viele, wie der Test findet</translation>
    </message>
    <message>
        <source>GPUs to use there. 0: as many as `nodes test` finds.</source>
        <translation>Dort zu nutzende GPUs. 0: so viele, wie `nodes test` findet.</translation>
    </message>
    <message>
        <source>the same path as here</source>
        <translation>derselbe Pfad wie hier</translation>
    </message>
    <message>
        <source>Where the node sees this workspace, on a shared file system.</source>
        <translation>Wo der Knoten diesen Arbeitsbereich sieht, auf einem gemeinsamen Dateisystem.</translation>
    </message>
    <message>
        <source>understudy-cli on the node&apos;s PATH</source>
        <translation>understudy-cli im PATH des Knotens</translation>
    </message>
    <message>
        <source>The understudy-cli program on the node.</source>
        <translation>Das Programm understudy-cli auf dem Knoten.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <source>SSH &amp;user:</source>
        <translation>SSH-Ben&amp;utzer:</translation>
    </message>
    <message>
        <source>SSH &amp;port:</source>
        <translation>SSH-P&amp;ort:</translation>
    </message>
    <message>
        <source>&amp;GPUs:</source>
        <translation>&amp;GPUs:</translation>
    </message>
    <message>
        <source>&amp;Workspace path:</source>
        <translation>Pfad des Arbeits&amp;bereichs:</translation>
    </message>
    <message>
        <source>&amp;Binary:</source>
        <translation>&amp;Programm:</translation>
    </message>
    <message>
        <source>Nothing is checked over the network here: use Test afterwards. Passwords are never stored; ssh uses your keys and ssh config.</source>
        <translation>Hier wird nichts über das Netz geprüft: Testen Sie den Knoten danach. Passwörter werden nie gespeichert; ssh verwendet Ihre Schlüssel und Ihre ssh-Konfiguration.</translation>
    </message>
    <message>
        <source>A node named %1 is already registered; choose another name or edit that one.</source>
        <translation>Ein Knoten namens %1 ist bereits registriert; wählen Sie einen anderen Namen oder bearbeiten Sie diesen.</translation>
    </message>
</context>
<context>
    <name>understudy::ui::NodesModel</name>
    <message>
        <source>cannot read the nodes of %1: %2</source>
        <translation>Die Knoten von %1 können nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>unerreichbar</translation>
    </message>
    <message>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>not tested</source>
        <translation>nicht getestet</translation>
    </message>
    <message>
        <source>testing…</source>
        <translation>wird getestet…</translation>
    </message>
    <message>
        <source>never reached</source>
        <translation>nie erreicht</translation>
    </message>
    <message>
        <source>as many as the test finds</source>
        <translation>so viele, wie der Test findet</translation>
    </message>
    <message>
        <source>(same as here)</source>
        <translation>(wie hier)</translation>
    </message>
    <message>
        <source>understudy-cli on PATH</source>
        <translation>understudy-cli im PATH</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Last seen (UTC)</source>
        <translation>Zuletzt gesehen (UTC)</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
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
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Workspace path</source>
        <translation>Pfad des Arbeitsbereichs</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>Programm</translation>
    </message>
</context>
<context>
    <name>understudy::ui::NodesView</name>
    <message>
        <source>&amp;Add Node…</source>
        <translation>Knoten hin&amp;zufügen…</translation>
    </message>
    <message>
        <source>Register a machine for distributed runs (nodes add)</source>
        <translation>Einen Rechner für verteilte Läufe registrieren (nodes add)</translation>
    </message>
    <message>
        <source>&amp;Edit Node…</source>
        <translation>Knoten &amp;bearbeiten…</translation>
    </message>
    <message>
        <source>Change how the selected node is reached (nodes edit)</source>
        <translation>Ändern, wie der ausgewählte Knoten erreicht wird (nodes edit)</translation>
    </message>
    <message>
        <source>&amp;Remove Node</source>
        <translation>Knoten &amp;entfernen</translation>
    </message>
    <message>
        <source>Forget the selected node (nodes remove)</source>
        <translation>Den ausgewählten Knoten vergessen (nodes remove)</translation>
    </message>
    <message>
        <source>&amp;Test Node</source>
        <translation>Knoten &amp;testen</translation>
    </message>
    <message>
        <source>Log in to the selected node over ssh and check it (nodes test)</source>
        <translation>Per ssh am ausgewählten Knoten anmelden und ihn prüfen (nodes test)</translation>
    </message>
    <message>
        <source>Test A&amp;ll Nodes</source>
        <translation>&amp;Alle Knoten testen</translation>
    </message>
    <message>
        <source>Test every registered node at once (nodes test)</source>
        <translation>Alle registrierten Knoten gleichzeitig testen (nodes test)</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>No nodes registered</source>
        <translation>Keine Knoten registriert</translation>
    </message>
    <message>
        <source>Runs use this machine only. Register another machine to run ranks of a distributed run there (`understudy-cli nodes add`), then Test it: ssh logs in and checks its CPUs, GPUs, the workspace and the understudy-cli version.</source>
        <translation>Läufe nutzen nur diesen Rechner. Registrieren Sie einen weiteren Rechner, um dort Ranks eines verteilten Laufs auszuführen (`understudy-cli nodes add`), und testen Sie ihn dann: ssh meldet sich an und prüft CPUs, GPUs, den Arbeitsbereich und die Version von understudy-cli.</translation>
    </message>
    <message>
        <source>The understudy-cli commands this view runs, and what they print, appear here.</source>
        <translation>Die understudy-cli-Befehle dieser Ansicht und ihre Ausgaben erscheinen hier.</translation>
    </message>
    <message>
        <source>Remove Node</source>
        <translation>Knoten entfernen</translation>
    </message>
    <message>
        <source>Cannot show the nodes</source>
        <translation>Die Knoten können nicht angezeigt werden</translation>
    </message>
    <message>
        <source>Remove node %1 (%2) from this workspace? Its registration and the results of its last test are deleted; nothing changes on that machine.</source>
        <translation>Knoten %1 (%2) aus diesem Arbeitsbereich entfernen? Seine Registrierung und die Ergebnisse seines letzten Tests werden gelöscht; auf dem Rechner selbst ändert sich nichts.</translation>
    </message>
    <message>
        <source>Cannot add node %1</source>
        <translation>Knoten %1 kann nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>Cannot edit node %1</source>
        <translation>Knoten %1 kann nicht bearbeitet werden</translation>
    </message>
    <message>
        <source>No node named %1 in this workspace; it may have been removed meanwhile.</source>
        <translation>Kein Knoten namens %1 in diesem Arbeitsbereich; er wurde vielleicht inzwischen entfernt.</translation>
    </message>
    <message>
        <source>Node %1: nothing changed.</source>
        <translation>Knoten %1: nichts geändert.</translation>
    </message>
    <message>
        <source>Cannot run nodes %1</source>
        <translation>nodes %1 kann nicht ausgeführt werden</translation>
    </message>
    <message>
        <source>No workspace is open.</source>
        <translation>Kein Arbeitsbereich geöffnet.</translation>
    </message>
    <message>
        <source>Another change to the nodes is still running; wait for it to end.</source>
        <translation>Eine andere Änderung an den Knoten läuft noch; warten Sie, bis sie endet.</translation>
    </message>
    <message>
        <source>Testing %1…</source>
        <translation>%1 wird getestet…</translation>
    </message>
    <message>
        <source>(did not start: %1)</source>
        <translation>(nicht gestartet: %1)</translation>
    </message>
    <message>
        <source>(ended by a signal after %1 s)</source>
        <translation>(nach %1 s durch ein Signal beendet)</translation>
    </message>
    <message>
        <source>(exit status %1 after %2 s)</source>
        <translation>(Exit-Status %1 nach %2 s)</translation>
    </message>
    <message>
        <source>understudy-cli ended by a signal</source>
        <translation>understudy-cli wurde durch ein Signal beendet</translation>
    </message>
    <message>
        <source>understudy-cli exited with status %1</source>
        <translation>understudy-cli endete mit Status %1</translation>
    </message>
    <message>
        <source>Added node %1. Test it to see whether it can be reached.</source>
        <translation>Knoten %1 hinzugefügt. Testen Sie ihn, um zu sehen, ob er erreichbar ist.</translation>
    </message>
    <message>
        <source>Could not add node %1: %2</source>
        <translation>Knoten %1 konnte nicht hinzugefügt werden: %2</translation>
    </message>
    <message>
        <source>Changed node %1; its status is unknown until it is tested again.</source>
        <translation>Knoten %1 geändert; sein Status ist unbekannt, bis er erneut getestet wird.</translation>
    </message>
    <message>
        <source>Could not change node %1: %2</source>
        <translation>Knoten %1 konnte nicht geändert werden: %2</translation>
    </message>
    <message>
        <source>Removed node %1.</source>
        <translation>Knoten %1 entfernt.</translation>
    </message>
    <message>
        <source>Could not remove node %1: %2</source>
        <translation>Knoten %1 konnte nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>Cannot remove node %1</source>
        <translation>Knoten %1 kann nicht entfernt werden</translation>
    </message>
    <message>
        <source>%1: ok — %2, %3 CPUs, %4 GPUs</source>
        <translation>%1: ok — %2, %3 CPUs, %4 GPUs</translation>
    </message>
    <message>
        <source>%1: %2 — %3</source>
        <translation>%1: %2 — %3</translation>
    </message>
    <message>
        <source>Test of %1 failed: %2</source>
        <translation>Test von %1 fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>understudy::ui::RunWizard</name>
    <message>
        <source>New run</source>
        <translation>Neuer Lauf</translation>
    </message>
    <message>
        <source>Save and &amp;launch</source>
        <translation>Speichern und s&amp;tarten</translation>
    </message>
    <message>
        <source>custom</source>
        <translation>benutzerdefiniert</translation>
    </message>
    <message>
        <source>Allowed: %1</source>
        <translation>Erlaubt: %1</translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation>Standard: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keiner)</translation>
    </message>
    <message>
        <source>Kind of experiment</source>
        <translation>Art des Experiments</translation>
    </message>
    <message>
        <source>What the recipe runs. Every step is cached: a teacher trained before is reused.</source>
        <translation>Was das Rezept ausführt. Jeder Schritt wird zwischengespeichert: Ein früher trainierter Lehrer wird wiederverwendet.</translation>
    </message>
    <message>
        <source>&amp;Teacher</source>
        <translation>&amp;Lehrer</translation>
    </message>
    <message>
        <source>Train a teacher (bidirectional LSTM) on the labeled data and decode the tests.</source>
        <translation>Einen Lehrer (bidirektionales LSTM) auf den gelabelten Daten trainieren und die Testsätze dekodieren.</translation>
    </message>
    <message>
        <source>&amp;Labeling</source>
        <translation>&amp;Beschriftung</translation>
    </message>
    <message>
        <source>A teacher, then its soft labels (top-k posteriors) for the unlabeled data.</source>
        <translation>Ein Lehrer, dann seine Soft-Labels (Top-k-Posteriors) für die ungelabelten Daten.</translation>
    </message>
    <message>
        <source>&amp;Student</source>
        <translation>&amp;Schüler</translation>
    </message>
    <message>
        <source>A teacher, its labels and one streaming student trained on them.</source>
        <translation>Ein Lehrer, seine Labels und ein darauf trainierter Streaming-Schüler.</translation>
    </message>
    <message>
        <source>&amp;Full semi-supervised recipe</source>
        <translation>&amp;Vollständiges halbüberwachtes Rezept</translation>
    </message>
    <message>
        <source>Teacher, labels, a labeled-only baseline and a student, compared by word error rate.</source>
        <translation>Lehrer, Labels, eine Baseline nur auf gelabelten Daten und ein Schüler, verglichen nach Wortfehlerrate (WER).</translation>
    </message>
    <message>
        <source>the recipe&apos;s name: its run, and WS/recipes/&lt;name&gt;/ for its files</source>
        <translation>der Name des Rezepts: sein Lauf und WS/recipes/&lt;name&gt;/ für seine Dateien</translation>
    </message>
    <message>
        <source>&amp;Open recipe…</source>
        <translation>Rezept ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Edit a recipe saved before (Ctrl+O)</source>
        <translation>Ein zuvor gespeichertes Rezept bearbeiten (Strg+O)</translation>
    </message>
    <message>
        <source>Open recipe</source>
        <translation>Rezept öffnen</translation>
    </message>
    <message>
        <source>Recipes (*.yaml *.yml)</source>
        <translation>Rezepte (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>Datasets</source>
        <translation>Datensätze</translation>
    </message>
    <message>
        <source>From this workspace: utterances and hours as imported.</source>
        <translation>Aus diesem Arbeitsbereich: Äußerungen und Stunden wie importiert.</translation>
    </message>
    <message>
        <source>Make the &amp;synthetic corpus first (corpus synth), profile</source>
        <translation>Zuerst das &amp;synthetische Korpus erzeugen (corpus synth), Profil</translation>
    </message>
    <message>
        <source>&amp;Labeled (the teacher&apos;s data, and the students&apos; labeled stream)</source>
        <translation>&amp;Gelabelt (die Daten des Lehrers und der gelabelte Strom der Schüler)</translation>
    </message>
    <message>
        <source>&amp;Unlabeled (what the teacher labels)</source>
        <translation>&amp;Ungelabelt (was der Lehrer beschriftet)</translation>
    </message>
    <message>
        <source>&amp;Tests (every model is decoded on each)</source>
        <translation>&amp;Testsätze (jedes Modell wird auf jedem dekodiert)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>A preset&apos;s shape, or your own; the parameter count follows every change.</source>
        <translation>Die Architektur einer Voreinstellung oder eine eigene; die Parameterzahl folgt jeder Änderung.</translation>
    </message>
    <message>
        <source>Teacher</source>
        <translation>Lehrer</translation>
    </message>
    <message>
        <source>Students (shared by every student)</source>
        <translation>Schüler (für alle Schüler gleich)</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Optimizer, learning rate and schedule; how a student mixes labeled and soft-labeled data.</source>
        <translation>Optimierer, Lernrate und Schedule; wie ein Schüler gelabelte und soft-gelabelte Daten mischt.</translation>
    </message>
    <message>
        <source>Every student</source>
        <translation>Alle Schüler</translation>
    </message>
    <message>
        <source>This student</source>
        <translation>Dieser Schüler</translation>
    </message>
    <message>
        <source>Student</source>
        <translation>Schüler</translation>
    </message>
    <message>
        <source>Students</source>
        <translation>Schüler</translation>
    </message>
    <message>
        <source>Labeling</source>
        <translation>Beschriftung</translation>
    </message>
    <message>
        <source>Distribution</source>
        <translation>Verteilung</translation>
    </message>
    <message>
        <source>How many processes train a student, where, and how they combine their work.</source>
        <translation>Wie viele Prozesse einen Schüler trainieren, wo, und wie sie ihre Arbeit zusammenführen.</translation>
    </message>
    <message>
        <source>On this &amp;machine</source>
        <translation>Auf diesem &amp;Rechner</translation>
    </message>
    <message>
        <source>Ranks 1..N-1 on &amp;nodes (rank 0 runs here)</source>
        <translation>Ranks 1..N-1 auf &amp;Knoten (Rank 0 läuft hier)</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <source>nodes</source>
        <translation>nodes</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Überprüfung</translation>
    </message>
    <message>
        <source>The recipe as it will be saved; `understudy-cli run` runs exactly this file.</source>
        <translation>Das Rezept, wie es gespeichert wird; `understudy-cli run` führt genau diese Datei aus.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Br&amp;owse…</source>
        <translation>D&amp;urchsuchen…</translation>
    </message>
    <message>
        <source>Save recipe</source>
        <translation>Rezept speichern</translation>
    </message>
    <message>
        <source>Recipes (*.yaml)</source>
        <translation>Rezepte (*.yaml)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Save the recipe (Ctrl+S)</source>
        <translation>Das Rezept speichern (Strg+S)</translation>
    </message>
    <message>
        <source>%1: cannot read the recipe (%2). Check the path.</source>
        <translation>%1: Das Rezept kann nicht gelesen werden (%2). Prüfen Sie den Pfad.</translation>
    </message>
    <message>
        <source>%1: not a YAML recipe: %2. Fix the file or start a new recipe.</source>
        <translation>%1: kein YAML-Rezept: %2. Korrigieren Sie die Datei oder beginnen Sie ein neues Rezept.</translation>
    </message>
    <message>
        <source>recipe</source>
        <translation>Rezept</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a value (a number, a word, or a list like [a, b]).</source>
        <translation>„%1“ ist kein Wert (eine Zahl, ein Wort oder eine Liste wie [a, b]).</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a value (a number or a word).</source>
        <translation>„%1“ ist kein Wert (eine Zahl oder ein Wort).</translation>
    </message>
    <message>
        <source>%1 — %2 utt., %3 h</source>
        <translation>%1 — %2 Äuß., %3 h</translation>
    </message>
    <message>
        <source>%1 — made by the recipe (corpus synth)</source>
        <translation>%1 — wird vom Rezept erzeugt (corpus synth)</translation>
    </message>
    <message>
        <source>%1 — not in this workspace yet</source>
        <translation>%1 — noch nicht in diesem Arbeitsbereich</translation>
    </message>
    <message>
        <source>%1 — not registered here</source>
        <translation>%1 — hier nicht registriert</translation>
    </message>
    <message>
        <source>%1 parameters (%2 output units, from this workspace&apos;s unit inventory)</source>
        <translation>%1 Parameter (%2 Ausgabeeinheiten, aus dem Einheiteninventar dieses Arbeitsbereichs)</translation>
    </message>
    <message>
        <source>%1 parameters plus %2 per output unit (the units come from the targets; this workspace has none yet)</source>
        <translation>%1 Parameter plus %2 je Ausgabeeinheit (die Einheiten kommen aus den Frame-Zielen; dieser Arbeitsbereich hat noch keine)</translation>
    </message>
    <message>
        <source>No parameter count: %1</source>
        <translation>Keine Parameterzahl: %1</translation>
    </message>
    <message>
        <source> (without the output layer: no unit inventory yet)</source>
        <translation> (ohne Ausgabeschicht: noch kein Einheiteninventar)</translation>
    </message>
    <message>
        <source>One process: nothing is sent between ranks.</source>
        <translation>Ein Prozess: Zwischen Ranks wird nichts gesendet.</translation>
    </message>
    <message>
        <source>%1 with %2 workers: what GTC sends depends on the gradients when target_fraction is 0 (a fixed threshold).</source>
        <translation>%1 mit %2 Workern: Was GTC sendet, hängt bei target_fraction 0 (fester Schwellwert) von den Gradienten ab.</translation>
    </message>
    <message>
        <source>About %1 bytes (%2 MB) sent per rank and step: %3 with %4 workers, %5 parameters%6.</source>
        <translation>Etwa %1 Bytes (%2 MB) pro Rank und Schritt gesendet: %3 mit %4 Workern, %5 Parameter%6.</translation>
    </message>
    <message>
        <source>No estimate until workers, the algorithm and its parameters are numbers in range.</source>
        <translation>Keine Schätzung, solange Worker-Zahl, Algorithmus und seine Parameter keine Zahlen im erlaubten Bereich sind.</translation>
    </message>
    <message>
        <source>%1: cannot save the recipe (%2). Choose another file.</source>
        <translation>%1: Das Rezept kann nicht gespeichert werden (%2). Wählen Sie eine andere Datei.</translation>
    </message>
    <message>
        <source>Hint: %1</source>
        <translation>Hinweis: %1</translation>
    </message>
    <message>
        <source>A labeling experiment needs unlabeled data: choose at least one set the teacher labels.</source>
        <translation>Ein Beschriftungsexperiment braucht ungelabelte Daten: Wählen Sie mindestens einen Datensatz, den der Lehrer beschriftet.</translation>
    </message>
</context>
<context>
    <name>understudy::ui::UtteranceBrowser</name>
    <message>
        <source>any</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <source>Cannot read the utterances</source>
        <translation>Die Äußerungen können nicht gelesen werden</translation>
    </message>
    <message>
        <source>The dataset whose utterances the table lists</source>
        <translation>Der Datensatz, dessen Äußerungen die Tabelle auflistet</translation>
    </message>
    <message>
        <source>The soft-label set whose teacher confidence and entropy the table shows</source>
        <translation>Der Soft-Label-Satz, dessen Lehrer-Konfidenz und Entropie die Tabelle zeigt</translation>
    </message>
    <message>
        <source>The model whose newest decode of the dataset gives the hypothesis and errors</source>
        <translation>Das Modell, dessen neueste Dekodierung des Datensatzes Hypothese und Fehler liefert</translation>
    </message>
    <message>
        <source>&amp;Dataset:</source>
        <translation>Da&amp;tensatz:</translation>
    </message>
    <message>
        <source>&amp;Soft labels:</source>
        <translation>&amp;Soft-Labels:</translation>
    </message>
    <message>
        <source>&amp;Evaluation:</source>
        <translation>A&amp;uswertung:</translation>
    </message>
    <message>
        <source>Text contains…</source>
        <translation>Text enthält…</translation>
    </message>
    <message>
        <source>Show the utterances whose transcript contains this text (letters A–Z match either case)</source>
        <translation>Die Äußerungen zeigen, deren Transkript diesen Text enthält (Buchstaben A–Z ohne Beachtung der Groß-/Kleinschreibung)</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Shortest duration shown, seconds</source>
        <translation>Kürzeste gezeigte Dauer, Sekunden</translation>
    </message>
    <message>
        <source>Longest duration shown, seconds</source>
        <translation>Längste gezeigte Dauer, Sekunden</translation>
    </message>
    <message>
        <source>Lowest teacher confidence (mean top-1 probability) shown</source>
        <translation>Niedrigste gezeigte Lehrer-Konfidenz (mittlere Top-1-Wahrscheinlichkeit)</translation>
    </message>
    <message>
        <source>Highest teacher confidence (mean top-1 probability) shown</source>
        <translation>Höchste gezeigte Lehrer-Konfidenz (mittlere Top-1-Wahrscheinlichkeit)</translation>
    </message>
    <message>
        <source>Show one recording condition only</source>
        <translation>Nur eine Aufnahmebedingung zeigen</translation>
    </message>
    <message>
        <source>C&amp;lear Filters</source>
        <translation>&amp;Filter zurücksetzen</translation>
    </message>
    <message>
        <source>D&amp;uration:</source>
        <translation>Dau&amp;er:</translation>
    </message>
    <message>
        <source>C&amp;onfidence:</source>
        <translation>K&amp;onfidenz:</translation>
    </message>
    <message>
        <source>Co&amp;ndition:</source>
        <translation>&amp;Bedingung:</translation>
    </message>
    <message>
        <source>Cannot show the utterances</source>
        <translation>Die Äußerungen können nicht angezeigt werden</translation>
    </message>
    <message>
        <source>Cannot list the datasets</source>
        <translation>Die Datensätze können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>%1 (%2, %3 utterances)</source>
        <translation>%1 (%2, %3 Äußerungen)</translation>
    </message>
    <message>
        <source>Cannot list the soft-label sets</source>
        <translation>Die Soft-Label-Sätze können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>Cannot list the evaluations</source>
        <translation>Die Auswertungen können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>%1, top-%2 (set %3)</source>
        <translation>%1, Top-%2 (Satz %3)</translation>
    </message>
    <message>
        <source> — no per-utterance numbers yet</source>
        <translation> — noch keine Werte je Äußerung</translation>
    </message>
    <message>
        <source>This workspace keeps no per-utterance label statistics: open it with this version of Understudy (it adds the table) and run `understudy-cli label` again</source>
        <translation>Dieser Arbeitsbereich hat keine Label-Statistiken je Äußerung: Öffnen Sie ihn mit dieser Version von Understudy (sie legt die Tabelle an) und führen Sie `understudy-cli label` erneut aus</translation>
    </message>
    <message>
        <source>%1 (WER %2 %)</source>
        <translation>%1 (WER %2 %)</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>Cannot select the utterance</source>
        <translation>Die Äußerung kann nicht ausgewählt werden</translation>
    </message>
    <message>
        <source>%1 of %2 utterances</source>
        <translation>%1 von %2 Äußerungen</translation>
    </message>
    <message>
        <source>Reading the utterances…</source>
        <translation>Die Äußerungen werden gelesen…</translation>
    </message>
    <message>
        <source> — reading…</source>
        <translation> — wird gelesen…</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>Open a workspace to browse its utterances.</source>
        <translation>Öffnen Sie einen Arbeitsbereich, um seine Äußerungen durchzusehen.</translation>
    </message>
    <message>
        <source>No datasets yet</source>
        <translation>Noch keine Datensätze</translation>
    </message>
    <message>
        <source>Import one with `understudy-cli corpus import` or make one with `understudy-cli corpus synth`; its utterances are listed here.</source>
        <translation>Importieren Sie einen mit `understudy-cli corpus import` oder erzeugen Sie einen mit `understudy-cli corpus synth`; seine Äußerungen erscheinen hier.</translation>
    </message>
    <message>
        <source>Filter by Text</source>
        <translation>Nach Text filtern</translation>
    </message>
</context>
<context>
    <name>understudy::ui::UtteranceDetail</name>
    <message>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <source>Play or pause (Space); click a plot to move there</source>
        <translation>Abspielen oder anhalten (Leertaste); in ein Diagramm klicken, um dorthin zu springen</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Cannot open workspace</source>
        <translation>Arbeitsbereich kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>No workspace open.</source>
        <translation>Kein Arbeitsbereich geöffnet.</translation>
    </message>
    <message>
        <source>Cannot show the utterance</source>
        <translation>Die Äußerung kann nicht angezeigt werden</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; &amp;nbsp; dataset %2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; &amp;nbsp; Datensatz %2</translation>
    </message>
    <message>
        <source>(no transcript)</source>
        <translation>(kein Transkript)</translation>
    </message>
    <message>
        <source>Reference: %1</source>
        <translation>Referenz: %1</translation>
    </message>
    <message>
        <source>Loading the audio, spectrogram, soft labels and targets…</source>
        <translation>Audio, Spektrogramm, Soft-Labels und Frame-Ziele werden geladen…</translation>
    </message>
    <message>
        <source>No utterance selected</source>
        <translation>Keine Äußerung ausgewählt</translation>
    </message>
    <message>
        <source>Select an utterance to see its waveform, spectrogram, soft labels and decoding results.</source>
        <translation>Wählen Sie eine Äußerung, um ihre Wellenform, ihr Spektrogramm, ihre Soft-Labels und Dekodierergebnisse zu sehen.</translation>
    </message>
    <message>
        <source>No decoding results for this utterance; decode the dataset with: understudy-cli decode -w %1 --model MODEL --dataset %2</source>
        <translation>Keine Dekodierergebnisse für diese Äußerung; dekodieren Sie den Datensatz mit: understudy-cli decode -w %1 --model MODEL --dataset %2</translation>
    </message>
    <message>
        <source>wave</source>
        <translation>Signal</translation>
    </message>
    <message>
        <source>mel</source>
        <translation>Mel</translation>
    </message>
    <message>
        <source>truth</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>soft labels</source>
        <translation>Soft-Labels</translation>
    </message>
    <message>
        <source>p</source>
        <translation>p</translation>
    </message>
    <message>
        <source>true unit</source>
        <translation>Referenzeinheit</translation>
    </message>
    <message>
        <source>entropy</source>
        <translation>Entropie</translation>
    </message>
    <message>
        <source>top-1 = truth</source>
        <translation>Top-1 = Ref.</translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2): %3 correct, %4 substituted, %5 deleted, %6 inserted</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; (%2): %3 korrekt, %4 ersetzt, %5 ausgelassen, %6 eingefügt</translation>
    </message>
    <message>
        <source>model</source>
        <translation>model</translation>
    </message>
</context>
<context>
    <name>understudy::ui::UtteranceTableModel</name>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>No transcript</source>
        <translation>Kein Transkript</translation>
    </message>
    <message>
        <source>The teacher&apos;s mean top-1 probability over the utterance&apos;s frames (the chosen soft-label set)</source>
        <translation>Die mittlere Top-1-Wahrscheinlichkeit des Lehrers über die Frames der Äußerung (der gewählte Soft-Label-Satz)</translation>
    </message>
    <message>
        <source>The mean entropy of the teacher&apos;s top-k distribution per frame, in nats</source>
        <translation>Die mittlere Entropie der Top-k-Verteilung des Lehrers je Frame, in nats</translation>
    </message>
    <message>
        <source>Word error rate of the chosen evaluation: 100 × (Sub + Del + Ins) / reference words</source>
        <translation>Wortfehlerrate der gewählten Auswertung: 100 × (Sub + Del + Ins) / Referenzwörter</translation>
    </message>
    <message>
        <source>The noise of a synthetic utterance (clean, babble, hum, pink, white), else the dataset&apos;s condition</source>
        <translation>Das Rauschen einer synthetischen Äußerung (clean, babble, hum, pink, white), sonst die Bedingung des Datensatzes</translation>
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
<context>
    <name>understudy::ui::charts::TrainingChartView</name>
    <message>
        <source>Which metrics to draw</source>
        <translation>Welche Metriken gezeichnet werden</translation>
    </message>
    <message>
        <source>&amp;Metrics:</source>
        <translation>&amp;Metriken:</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>&amp;X axis:</source>
        <translation>&amp;X-Achse:</translation>
    </message>
    <message>
        <source>Log x</source>
        <translation>Log x</translation>
    </message>
    <message>
        <source>Log y</source>
        <translation>Log y</translation>
    </message>
    <message>
        <source>Logarithmic y axis (Ctrl+L)</source>
        <translation>Logarithmische y-Achse (Strg+L)</translation>
    </message>
    <message>
        <source>&amp;Smoothing:</source>
        <translation>&amp;Glättung:</translation>
    </message>
    <message>
        <source>Weight of the debiased exponential moving average drawn over the faint raw curve (0: raw only)</source>
        <translation>Gewicht des bias-korrigierten exponentiellen gleitenden Mittels über der blassen Rohkurve (0: nur Rohdaten)</translation>
    </message>
    <message>
        <source>Reset Zoom</source>
        <translation>Zoom zurücksetzen</translation>
    </message>
    <message>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>time since the run started (h:mm:ss)</source>
        <translation>Zeit seit Start des Laufs (h:mm:ss)</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>run %1 %2</source>
        <translation>Lauf %1 %2</translation>
    </message>
    <message>
        <source>No workspace open</source>
        <translation>Kein Arbeitsbereich geöffnet</translation>
    </message>
    <message>
        <source>Select one or more runs to chart their metrics</source>
        <translation>Wählen Sie einen oder mehrere Läufe, um ihre Metriken darzustellen</translation>
    </message>
    <message>
        <source>The selected runs have recorded no metrics of this kind yet</source>
        <translation>Die ausgewählten Läufe haben noch keine Metriken dieser Art aufgezeichnet</translation>
    </message>
    <message>
        <source>Runs: %1 · points: %2 · read at %3</source>
        <translation>Läufe: %1 · Punkte: %2 · gelesen um %3</translation>
    </message>
    <message>
        <source>%1: cannot write the PNG (hint: check that the folder exists and is writable)</source>
        <translation>%1: Das PNG kann nicht geschrieben werden (Hinweis: Prüfen Sie, ob der Ordner existiert und beschreibbar ist)</translation>
    </message>
    <message>
        <source>%1: cannot write: %2 (hint: pick a writable folder)</source>
        <translation>%1: kann nicht geschrieben werden: %2 (Hinweis: Wählen Sie einen beschreibbaren Ordner)</translation>
    </message>
    <message>
        <source>%1: cannot write: %2 (hint: check the free space)</source>
        <translation>%1: kann nicht geschrieben werden: %2 (Hinweis: Prüfen Sie den freien Speicherplatz)</translation>
    </message>
    <message>
        <source>Export Chart as PNG</source>
        <translation>Diagramm als PNG exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>Cannot export the chart</source>
        <translation>Das Diagramm kann nicht exportiert werden</translation>
    </message>
    <message>
        <source>Export Metrics as CSV</source>
        <translation>Metriken als CSV exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Cannot export the metrics</source>
        <translation>Die Metriken können nicht exportiert werden</translation>
    </message>
    <message>
        <source>Hours of audio</source>
        <translation>Audiostunden</translation>
    </message>
    <message>
        <source>Step; the time since each run started; or the hours of audio each run has trained on (its train/input_frames added up; in a distributed run, this rank&apos;s: rank 0&apos;s). Runs that recorded no train/input_frames (older ones) cannot be drawn against hours.</source>
        <translation>Schritt; die Zeit seit dem Start jedes Laufs; oder die Audiostunden, auf denen jeder Lauf trainiert hat (seine train/input_frames aufsummiert; in einem verteilten Lauf die dieses Ranks: die von Rank 0). Läufe ohne train/input_frames (ältere) lassen sich nicht über Stunden zeichnen.</translation>
    </message>
    <message>
        <source>step (no run recorded hours of audio)</source>
        <translation>Schritt (kein Lauf hat Audiostunden aufgezeichnet)</translation>
    </message>
    <message>
        <source>hours of audio trained on (rank 0&apos;s in distributed runs)</source>
        <translation>trainierte Audiostunden (bei verteilten Läufen die von Rank 0)</translation>
    </message>
    <message>
        <source>Hours of audio: no selected run recorded train/input_frames (%1; runs trained before it was recorded), so the curves are drawn against the step.</source>
        <translation>Audiostunden: Kein ausgewählter Lauf hat train/input_frames aufgezeichnet (%1; Läufe, die trainiert wurden, bevor es aufgezeichnet wurde), daher werden die Kurven über dem Schritt gezeichnet.</translation>
    </message>
    <message>
        <source>Hours of audio: not drawn, no train/input_frames recorded (runs trained before it was recorded): %1. Choose Step or Wall time to see them.</source>
        <translation>Audiostunden: nicht gezeichnet, keine train/input_frames aufgezeichnet (Läufe, die trainiert wurden, bevor es aufgezeichnet wurde): %1. Wählen Sie Schritt oder Laufzeit, um sie zu sehen.</translation>
    </message>
    <message>
        <source>KD loss</source>
        <translation>KD-Loss</translation>
    </message>
    <message>
        <source>agreement with the teacher (top-1)</source>
        <translation>Übereinstimmung mit dem Lehrer (Top-1)</translation>
    </message>
</context>
</TS>
