#include "ui/browser/audio_player.h"

#include <QAudioFormat>
#include <QAudioSink>
#include <QMediaDevices>
#include <QTimer>
#include <QtEndian>
#include <algorithm>
#include <cmath>

namespace understudy::ui {
namespace {

constexpr int kTickMs = 30;
constexpr int kBytesPerSample = 2;  // mono int16

QString sinkErrorText(QAudio::Error error) {
  switch (error) {
    case QAudio::OpenError:
      return AudioPlayer::tr("The audio output device could not be opened (it may be in use or "
                             "gone); check the system's sound settings.");
    case QAudio::IOError:
      return AudioPlayer::tr("Writing to the audio output device failed.");
    case QAudio::FatalError:
      return AudioPlayer::tr("The audio output device stopped with a fatal error.");
    default:
      return {};
  }
}

}  // namespace

AudioPlayer::AudioPlayer(QObject* parent) : AudioPlayer(defaultOutput(), parent) {}

AudioPlayer::AudioPlayer(const QAudioDevice& device, QObject* parent)
    : QObject(parent), m_device(device), m_tick(new QTimer(this)) {
  if (m_device.isNull())
    m_deviceProblem = tr("No audio output device: playback is off (everything else works). "
                         "Connect a sound device or start a sound server and reopen the workspace.");
  m_tick->setInterval(kTickMs);
  connect(m_tick, &QTimer::timeout, this, [this] { emit positionChanged(position()); });
}

AudioPlayer::~AudioPlayer() {
  // Gone before the buffer it reads (a member, destroyed before the children).
  if (m_sink) {
    m_sink->disconnect(this);
    m_sink->stop();
    delete m_sink;
    m_sink = nullptr;
  }
}

QAudioDevice AudioPlayer::defaultOutput() {
  if (QMediaDevices::audioOutputs().isEmpty()) return {};
  return QMediaDevices::defaultAudioOutput();
}

QString AudioPlayer::deviceProblem() const { return m_deviceProblem; }

bool AudioPlayer::canPlay() const { return m_deviceProblem.isEmpty() && !m_pcm.isEmpty(); }

void AudioPlayer::setAudio(const std::vector<float>& samples, int sampleRate) {
  stopSink();
  m_pcm.resize(static_cast<qsizetype>(samples.size()) * kBytesPerSample);
  auto* out = reinterpret_cast<uchar*>(m_pcm.data());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const float clipped = std::clamp(samples[i], -1.0f, 1.0f);
    const auto value = static_cast<qint16>(std::lround(clipped * 32767.0f));
    qToLittleEndian<qint16>(value, out + i * kBytesPerSample);
  }
  m_sampleRate = sampleRate;
  m_pausedAt = 0.0;
  emit positionChanged(0.0);
}

void AudioPlayer::clearAudio() { setAudio({}, 0); }

double AudioPlayer::durationSeconds() const {
  if (m_sampleRate <= 0) return 0.0;
  return static_cast<double>(m_pcm.size() / kBytesPerSample) / m_sampleRate;
}

bool AudioPlayer::isPlaying() const { return m_playing; }

double AudioPlayer::position() const {
  if (!m_playing || !m_sink) return m_pausedAt;
  const double played = static_cast<double>(m_sink->processedUSecs()) / 1e6;
  return std::min(m_startSeconds + played, durationSeconds());
}

qint64 AudioPlayer::bytesForSeconds(double seconds) const {
  const auto sample = static_cast<qint64>(std::floor(std::max(0.0, seconds) * m_sampleRate));
  return std::min<qint64>(sample * kBytesPerSample, m_pcm.size());
}

void AudioPlayer::play() {
  if (!m_deviceProblem.isEmpty()) {
    emit errorOccurred(m_deviceProblem);
    return;
  }
  if (m_pcm.isEmpty() || m_playing) return;
  // At the end: start over.
  if (m_pausedAt >= durationSeconds() - 1e-6) m_pausedAt = 0.0;
  startSink(bytesForSeconds(m_pausedAt));
}

void AudioPlayer::pause() {
  if (!m_playing) return;
  m_pausedAt = position();
  stopSink();
  emit positionChanged(m_pausedAt);
}

void AudioPlayer::togglePlayPause() {
  if (m_playing)
    pause();
  else
    play();
}

void AudioPlayer::seek(double seconds) {
  const double target = std::clamp(seconds, 0.0, durationSeconds());
  const bool wasPlaying = m_playing;
  stopSink();
  m_pausedAt = target;
  emit positionChanged(target);
  if (wasPlaying) startSink(bytesForSeconds(target));
}

void AudioPlayer::startSink(qint64 byteOffset) {
  QAudioFormat format;
  format.setSampleRate(m_sampleRate);
  format.setChannelCount(1);
  format.setSampleFormat(QAudioFormat::Int16);
  if (!m_device.isFormatSupported(format)) {
    emit errorOccurred(tr("The audio output device '%1' cannot play 16-bit mono audio at %2 Hz.")
                           .arg(m_device.description())
                           .arg(m_sampleRate));
    return;
  }
  m_buffer.close();
  m_buffer.setBuffer(&m_pcm);
  m_buffer.open(QIODevice::ReadOnly);
  m_buffer.seek(byteOffset);
  m_startSeconds = static_cast<double>(byteOffset / kBytesPerSample) / m_sampleRate;
  m_sink = new QAudioSink(m_device, format, this);
  connect(m_sink, &QAudioSink::stateChanged, this, &AudioPlayer::onSinkStateChanged);
  m_sink->start(&m_buffer);
  if (const QAudio::Error error = m_sink->error(); error != QAudio::NoError) {
    stopSink();
    emit errorOccurred(sinkErrorText(error));
    return;
  }
  m_playing = true;
  m_tick->start();
  emit playingChanged(true);
}

void AudioPlayer::stopSink() {
  m_tick->stop();
  if (m_sink) {
    m_sink->disconnect(this);
    m_sink->stop();
    m_sink->deleteLater();  // never inside its own stateChanged()
    m_sink = nullptr;
  }
  m_buffer.close();
  if (m_playing) {
    m_playing = false;
    emit playingChanged(false);
  }
}

void AudioPlayer::onSinkStateChanged() {
  if (!m_sink) return;
  const QAudio::Error error = m_sink->error();
  const bool atEnd = m_buffer.atEnd();
  if (m_sink->state() == QAudio::IdleState && atEnd) {
    // Played to the end: the cursor rests at the end, play starts over.
    m_pausedAt = durationSeconds();
    stopSink();
    emit positionChanged(m_pausedAt);
    return;
  }
  if (m_sink->state() == QAudio::StoppedState && error != QAudio::NoError &&
      error != QAudio::UnderrunError) {
    m_pausedAt = position();
    stopSink();
    emit errorOccurred(sinkErrorText(error));
  }
}

}  // namespace understudy::ui
