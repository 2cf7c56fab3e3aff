#include "viewer/text_batch.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <osg/BlendFunc>
#include <osg/Program>
#include <osgText/Glyph>

namespace dtwin::viewer {

namespace {

constexpr unsigned kShift = 6;  // vertex attribute slot of the pixel offsets

const char* const kVertex = R"(#version 120
uniform vec2 viewport_px;
attribute vec2 shift_px;
varying vec2 uv;
varying vec4 color;
void main() {
  vec4 clip = gl_ModelViewProjectionMatrix * gl_Vertex;
  uv = gl_MultiTexCoord0.xy;
  color = gl_Color;
  if (clip.w <= 0.0) {  // behind the eye: nothing to draw
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    return;
  }
  // the anchor's pixel, rounded, then the glyph's offset: crisp text of a constant size
  vec2 px = floor((clip.xy / clip.w * 0.5 + 0.5) * viewport_px + 0.5) + shift_px;
  gl_Position = vec4(px / viewport_px * 2.0 - 1.0, 0.0, 1.0);
}
)";

const char* const kFragment = R"(#version 120
uniform sampler2D atlas;
varying vec2 uv;
varying vec4 color;
void main() {
  if (uv.x < 0.0) {  // a box, not a glyph
    gl_FragColor = color;
    return;
  }
  float a = texture2D(atlas, uv).a;
  if (a <= 0.0) discard;
  gl_FragColor = vec4(color.rgb, color.a * a);
}
)";

// the next code point of a UTF-8 string (a malformed byte counts as itself)
std::uint32_t next_code(const std::string& s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  int extra = 0;
  std::uint32_t c = b;
  if (b >= 0xF0)
    extra = 3, c = b & 0x07u;
  else if (b >= 0xE0)
    extra = 2, c = b & 0x0Fu;
  else if (b >= 0xC0)
    extra = 1, c = b & 0x1Fu;
  for (; extra > 0 && i < s.size(); --extra) {
    const auto n = static_cast<unsigned char>(s[i]);
    if ((n & 0xC0) != 0x80) break;
    c = (c << 6) | (n & 0x3Fu);
    ++i;
  }
  return c;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out(1);
  for (char ch : s) {
    if (ch == '\n')
      out.emplace_back();
    else
      out.back() += ch;
  }
  return out;
}

}  // namespace

TextBatch::TextBatch(osg::ref_ptr<osgText::Font> font, int pixel_size)
    : font_(std::move(font)),
      px_(std::max(pixel_size, 4)),
      line_h_(static_cast<int>(std::ceil(px_ * 1.18))),
      ascent_(static_cast<int>(std::ceil(px_ * 0.94))),
      atlas_(new osg::Image),
      texture_(new osg::Texture2D),
      geode_(new osg::Geode),
      geom_(new osg::Geometry),
      pos_(new osg::Vec3Array),
      shift_(new osg::Vec2Array),
      uv_(new osg::Vec2Array),
      color_(new osg::Vec4Array),
      draw_(new osg::DrawArrays(GL_TRIANGLES, 0, 0)),
      viewport_(new osg::Uniform("viewport_px", osg::Vec2(1280, 720))) {
  const int size = px_ <= 20 ? 512 : 1024;
  atlas_->allocateImage(size, size, 1, GL_ALPHA, GL_UNSIGNED_BYTE);
  std::memset(atlas_->data(), 0, static_cast<std::size_t>(size) * static_cast<std::size_t>(size));
  atlas_->setInternalTextureFormat(GL_ALPHA);
  texture_->setImage(atlas_.get());
  texture_->setFilter(osg::Texture::MIN_FILTER, osg::Texture::LINEAR);
  texture_->setFilter(osg::Texture::MAG_FILTER, osg::Texture::LINEAR);
  texture_->setWrap(osg::Texture::WRAP_S, osg::Texture::CLAMP_TO_EDGE);
  texture_->setWrap(osg::Texture::WRAP_T, osg::Texture::CLAMP_TO_EDGE);
  texture_->setResizeNonPowerOfTwoHint(false);

  geom_->setUseDisplayList(false);
  geom_->setUseVertexBufferObjects(true);
  geom_->setDataVariance(osg::Object::DYNAMIC);
  geom_->setVertexArray(pos_.get());
  geom_->setVertexAttribArray(kShift, shift_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->setTexCoordArray(0, uv_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->setColorArray(color_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->addPrimitiveSet(draw_.get());
  geom_->setCullingActive(false);  // its quads land wherever their anchors do
  geode_->addDrawable(geom_.get());
  geode_->setCullingActive(false);

  auto program = osg::ref_ptr<osg::Program>(new osg::Program);
  program->addShader(new osg::Shader(osg::Shader::VERTEX, kVertex));
  program->addShader(new osg::Shader(osg::Shader::FRAGMENT, kFragment));
  program->addBindAttribLocation("shift_px", kShift);
  osg::StateSet* ss = geode_->getOrCreateStateSet();
  ss->setAttributeAndModes(program.get());
  ss->setTextureAttributeAndModes(0, texture_.get());
  ss->addUniform(new osg::Uniform("atlas", 0));
  ss->addUniform(viewport_.get());
  ss->setMode(GL_BLEND, osg::StateAttribute::ON);
  ss->setAttributeAndModes(new osg::BlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA));
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  geode_->setNodeMask(0);
}

void TextBatch::set_viewport(int w, int h) {
  viewport_->set(osg::Vec2(static_cast<float>(std::max(w, 1)), static_cast<float>(std::max(h, 1))));
}

const TextBatch::Glyph& TextBatch::glyph(std::uint32_t code) {
  auto it = glyphs_.find(code);
  if (it != glyphs_.end()) return it->second;
  Glyph g;
  osgText::Glyph* src = font_ ? font_->getGlyph(osgText::FontResolution(px_, px_), code) : nullptr;
  if (!src && code != '?') return glyphs_[code] = glyph('?');
  if (src) {
    g.advance = std::round(src->getHorizontalAdvance() * static_cast<float>(px_));
    const int w = src->s(), h = src->t();
    if (w > 0 && h > 0 && src->data()) {
      // shelf packing with a blank texel around each glyph
      if (shelf_x_ + w + 1 > atlas_->s()) {
        shelf_x_ = 1;
        shelf_y_ += shelf_h_ + 1;
        shelf_h_ = 0;
      }
      if (shelf_y_ + h + 1 <= atlas_->t()) {
        for (int r = 0; r < h; ++r)
          std::memcpy(atlas_->data(shelf_x_, shelf_y_ + r), src->data(0, r),
                      static_cast<std::size_t>(w));
        const osg::Vec2 bearing = src->getHorizontalBearing() * static_cast<float>(px_);
        g.x0 = std::round(bearing.x());
        g.y0 = std::round(bearing.y());
        g.x1 = g.x0 + static_cast<float>(w);
        g.y1 = g.y0 + static_cast<float>(h);
        const float S = static_cast<float>(atlas_->s()), T = static_cast<float>(atlas_->t());
        g.u0 = static_cast<float>(shelf_x_) / S;
        g.v0 = static_cast<float>(shelf_y_) / T;
        g.u1 = static_cast<float>(shelf_x_ + w) / S;
        g.v1 = static_cast<float>(shelf_y_ + h) / T;
        g.ink = true;
        shelf_x_ += w + 1;
        shelf_h_ = std::max(shelf_h_, h);
        atlas_->dirty();
      }
    }
  }
  return glyphs_[code] = g;
}

void TextBatch::clear() {
  pos_->clear();
  shift_->clear();
  uv_->clear();
  color_->clear();
}

void TextBatch::quad(const osg::Vec3& a, float x0, float y0, float x1, float y1, float u0, float v0,
                     float u1, float v1, Rgba c) {
  const osg::Vec2 corners[6] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y0}, {x1, y1}, {x0, y1}};
  const osg::Vec2 uvs[6] = {{u0, v0}, {u1, v0}, {u1, v1}, {u0, v0}, {u1, v1}, {u0, v1}};
  for (int k = 0; k < 6; ++k) {
    pos_->push_back(a);
    shift_->push_back(corners[k]);
    uv_->push_back(uvs[k]);
    color_->push_back({c.r, c.g, c.b, c.a});
  }
}

void TextBatch::rect(const osg::Vec3& anchor, float x0, float y0, float x1, float y1, Rgba c) {
  quad(anchor, x0, y0, x1, y1, -1, -1, -1, -1, c);
}

osg::Vec2 TextBatch::measure(const std::string& utf8) {
  const auto lines = split_lines(utf8);
  float w = 0;
  for (const auto& l : lines) {
    float x = 0;
    for (std::size_t i = 0; i < l.size();) x += glyph(next_code(l, i)).advance;
    w = std::max(w, x);
  }
  return {w, static_cast<float>(line_h_ * static_cast<int>(lines.size()))};
}

osg::Vec2 TextBatch::text(const osg::Vec3& anchor, const std::string& utf8, Rgba color, Align align,
                          Rgba back, float pad, osg::Vec2 shift) {
  const auto lines = split_lines(utf8);
  std::vector<float> widths;
  float w = 0;
  for (const auto& l : lines) {
    float x = 0;
    for (std::size_t i = 0; i < l.size();) x += glyph(next_code(l, i)).advance;
    widths.push_back(x);
    w = std::max(w, x);
  }
  const float h = static_cast<float>(line_h_ * static_cast<int>(lines.size()));
  // the box's top-left corner, from the anchor's pixel
  float left = 0, top = 0;
  int column = 0;  // 0 left, 1 centre, 2 right: how each line sits in the box
  switch (align) {
    case Align::LeftTop:
      break;
    case Align::CenterTop:
      left = -w / 2, column = 1;
      break;
    case Align::RightTop:
      left = -w, column = 2;
      break;
    case Align::LeftCenter:
      top = h / 2;
      break;
    case Align::Center:
      left = -w / 2, top = h / 2, column = 1;
      break;
    case Align::LeftBottom:
      top = h;
      break;
    case Align::CenterBottom:
      left = -w / 2, top = h, column = 1;
      break;
  }
  left = std::round(left + shift.x());
  top = std::round(top + shift.y());
  if (back.a > 0) rect(anchor, left - pad, top - h - pad, left + w + pad, top + pad, back);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    float x = left + std::round(column == 0 ? 0 : (w - widths[k]) / (column == 1 ? 2 : 1));
    const float base = top - static_cast<float>(ascent_ + line_h_ * static_cast<int>(k));
    const std::string& l = lines[k];
    for (std::size_t i = 0; i < l.size();) {
      const Glyph& g = glyph(next_code(l, i));
      if (g.ink)
        quad(anchor, x + g.x0, base + g.y0, x + g.x1, base + g.y1, g.u0, g.v0, g.u1, g.v1, color);
      x += g.advance;
    }
  }
  return {w, h};
}

void TextBatch::commit() {
  pos_->dirty();
  shift_->dirty();
  uv_->dirty();
  color_->dirty();
  draw_->setCount(static_cast<GLsizei>(pos_->size()));
  draw_->dirty();
  geom_->dirtyBound();
  geode_->setNodeMask(pos_->empty() ? 0u : ~0u);
}

}  // namespace dtwin::viewer
