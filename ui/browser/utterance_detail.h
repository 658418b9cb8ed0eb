// The utterance detail panel (docs/gui.md "Utterances"): everything known
// about one utterance, on one time axis in seconds: waveform, 64-bin log-mel
// spectrogram (the fbank the model sees), the alignment lane (the true unit
// of each 30 ms frame, from the dataset's targets), the teacher's soft-label
// heatmap (top-k probabilities, frames x units) with its entropy curve, the
// true unit against the teacher's top-1, and the reference with every
// evaluation's hypothesis (errors coloured, sclite style). Playback through
// AudioPlayer: space plays or pauses, a click on any plot seeks, a cursor
// moves over all plots.
//
// The panel opens its own read-only connection; the audio, the stores and
// the fbank are read on a worker thread (the panel says "Loading" meanwhile
// and never blocks). Whatever is missing (no soft labels, no targets, no
// decode, the audio file gone) is said in the panel with the command that
// makes it; the rest still shows.
//
//   auto* detail = new UtteranceDetail;
//   detail->setWorkspacePath(session.rootPath());
//   detail->showUtterance(utteranceId);          // the newest soft-label set of its dataset
//   detail->showUtterance(utteranceId, setId);   // a chosen soft-label set
//   connect(detail, &UtteranceDetail::errorOccurred, window, &MainWindow::reportError);
#pragma once

#include <QList>
#include <QWidget>
#include <memory>

class QKeyEvent;
class QMouseEvent;

namespace understudy::ui {

class AudioPlayer;
struct DetailData;
struct HypothesisRow;

class UtteranceDetail : public QWidget {
  Q_OBJECT

 public:
  explicit UtteranceDetail(QWidget* parent = nullptr);
  ~UtteranceDetail() override;

  // The workspace to read; empty closes it (and clears the panel). false
  // (and errorOccurred) when it cannot be opened.
  bool setWorkspacePath(const QString& path);
  QString workspacePath() const;

  // Shows utterances.id = utteranceId; returns at once (the loading happens
  // on a worker thread, loaded() follows). softLabelSetId: the soft-label set
  // whose heatmap to show; -1 = the newest set on the utterance's dataset.
  void showUtterance(qint64 utteranceId, qint64 softLabelSetId = -1);
  // Nothing selected: the panel says so; playback stops.
  void clear();
  // Re-reads the shown utterance when the workspace changed (e.g. a labeling
  // or decode run committed); cheap when nothing changed.
  void refresh();

  qint64 utteranceId() const;   // -1 when none
  bool isLoading() const;
  // The panel's player (its device check, position; for tests and scripts).
  AudioPlayer* player() const;

 signals:
  // The shown utterance finished loading (all its parts, or the notes about
  // what is missing).
  void loaded(qint64 utteranceId);
  void errorOccurred(const QString& title, const QString& message);

 protected:
  // Space: play or pause.
  void keyPressEvent(QKeyEvent* event) override;

 private:
  void togglePlayback();
  void onLoaded(std::shared_ptr<DetailData> data, quint64 serial);
  void resetPlot();
  void buildPlots();
  void moveCursor(double seconds);
  void seekToPixel(QMouseEvent* event);
  void setHypotheses(const QList<HypothesisRow>& rows);

  struct Private;
  std::unique_ptr<Private> d;
};

}  // namespace understudy::ui
