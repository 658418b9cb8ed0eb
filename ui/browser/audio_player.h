// Playback of one decoded utterance (docs/gui.md "Utterances"): our own
// 16-bit PCM, made from the float samples core/audio decoded, played through
// a QAudioSink reading a QBuffer. Never QMediaPlayer: in Qt 6.4 its ffmpeg
// backend crashes on a machine without a sound device.
//
// Before anything plays, the player checks that an output device exists
// (QMediaDevices); without one, deviceProblem() says so, canPlay() is false
// and play() does nothing but report it. After QAudioSink::start() it checks
// error() (OpenError: the device could not be opened) and reports that too.
//
//   AudioPlayer player;                        // the default output device
//   if (!player.deviceProblem().isEmpty()) label->setText(player.deviceProblem());
//   player.setAudio(audio.samples, audio.sampleRate);
//   player.play();  player.seek(1.5);  player.position();   // seconds
#pragma once

#include <QAudioDevice>
#include <QByteArray>
#include <QBuffer>
#include <QObject>
#include <QString>
#include <vector>

class QAudioSink;
class QTimer;

namespace understudy::ui {

class AudioPlayer : public QObject {
  Q_OBJECT

 public:
  // The default output device (QMediaDevices::defaultAudioOutput()), or none
  // when QMediaDevices lists no outputs.
  explicit AudioPlayer(QObject* parent = nullptr);
  // A chosen device; a null QAudioDevice means "no device" (as on a machine
  // without sound hardware).
  AudioPlayer(const QAudioDevice& device, QObject* parent);
  ~AudioPlayer() override;

  // The default output device, or a null one when there is none.
  static QAudioDevice defaultOutput();

  // '' when the device can play; otherwise what is wrong, for the user.
  QString deviceProblem() const;
  // A device and some audio.
  bool canPlay() const;

  // Mono float samples in [-1, 1] (clipped), converted to int16 PCM. Stops
  // playback and goes back to 0 s.
  void setAudio(const std::vector<float>& samples, int sampleRate);
  void clearAudio();
  double durationSeconds() const;

  bool isPlaying() const;
  // Seconds from the start of the audio (moves while playing).
  double position() const;

  // Each reports a problem through errorOccurred() instead of throwing.
  void play();
  void pause();
  void togglePlayPause();
  // Jumps to `seconds` (clamped); keeps playing if it was.
  void seek(double seconds);

 signals:
  // While playing, every ~30 ms; once after a seek or a stop.
  void positionChanged(double seconds);
  void playingChanged(bool playing);
  // A problem the user should see (no device, the device would not open).
  void errorOccurred(const QString& message);

 private:
  void startSink(qint64 byteOffset);
  void stopSink();
  void onSinkStateChanged();
  qint64 bytesForSeconds(double seconds) const;

  QAudioDevice m_device;
  QString m_deviceProblem;
  QByteArray m_pcm;
  QBuffer m_buffer;
  int m_sampleRate = 0;
  QAudioSink* m_sink = nullptr;  // deleted later: it may be stopped from its own signal
  double m_startSeconds = 0.0;  // where the current sink started
  double m_pausedAt = 0.0;      // the position while not playing
  bool m_playing = false;
  QTimer* m_tick = nullptr;
};

}  // namespace understudy::ui
