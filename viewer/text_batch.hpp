// Many short texts in one draw call: the labels over the twins, the HUD's panels. A software
// rasteriser pays dearly per draw call (about as much as for a thousand glyphs), so instead of
// one osgText::Text per label, the glyphs of one font at one pixel size are rasterised once (by
// OpenSceneGraph's FreeType plugin) into an atlas texture, and every text is a run of textured
// quads in one geometry. Each text is anchored at a point (in the scene, or in pixels under the
// HUD's orthographic camera) and its quads are offsets in pixels from the anchor's place on the
// screen, snapped to whole pixels: texts keep their size and stay crisp however far the anchor
// is. A text may sit on a coloured box; plain rectangles (legend swatches) can be added too.
//
// Use: clear(), then text() and rect() for everything to draw, then commit().
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <osg/Geode>
#include <osg/Geometry>
#include <osg/Image>
#include <osg/Texture2D>
#include <osg/Uniform>
#include <osgText/Font>

#include "viewer/palette.hpp"

namespace dtwin::viewer {

enum class Align : std::uint8_t {
  LeftTop,
  CenterTop,
  RightTop,
  LeftCenter,
  Center,
  LeftBottom,
  CenterBottom,
};

class TextBatch {
 public:
  TextBatch(osg::ref_ptr<osgText::Font> font, int pixel_size);
  TextBatch(const TextBatch&) = delete;
  TextBatch& operator=(const TextBatch&) = delete;

  osg::Geode* node() const { return geode_.get(); }
  int pixel_size() const { return px_; }
  int line_height() const { return line_h_; }
  void set_viewport(int width_px, int height_px);

  void clear();
  // Lines separated by '\n', each aligned on its own (left, centred or right). The text's box
  // is placed by `align` at the anchor's screen position plus `shift_px`; with `back.a` > 0 a
  // box of that colour, `pad_px` larger, is drawn behind it. Returns the box's size in pixels.
  osg::Vec2 text(const osg::Vec3& anchor, const std::string& utf8, Rgba color, Align align,
                 Rgba back = {0, 0, 0, 0}, float pad_px = 0, osg::Vec2 shift_px = {0, 0});
  // a rectangle from (x0, y0) to (x1, y1) pixels off the anchor's screen position
  void rect(const osg::Vec3& anchor, float x0, float y0, float x1, float y1, Rgba color);
  osg::Vec2 measure(const std::string& utf8);
  void commit();

  std::size_t quads() const { return pos_->size() / 6; }

 private:
  struct Glyph {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // quad from the pen on the baseline, pixels
    float u0 = 0, v0 = 0, u1 = 0, v1 = 0;  // in the atlas
    float advance = 0;
    bool ink = false;  // false for a space
  };
  const Glyph& glyph(std::uint32_t code);
  void quad(const osg::Vec3& anchor, float x0, float y0, float x1, float y1, float u0, float v0,
            float u1, float v1, Rgba c);

  osg::ref_ptr<osgText::Font> font_;
  int px_, line_h_, ascent_;
  std::map<std::uint32_t, Glyph> glyphs_;
  osg::ref_ptr<osg::Image> atlas_;
  osg::ref_ptr<osg::Texture2D> texture_;
  int shelf_x_ = 1, shelf_y_ = 1, shelf_h_ = 0;  // packing: the current shelf of the atlas

  osg::ref_ptr<osg::Geode> geode_;
  osg::ref_ptr<osg::Geometry> geom_;
  osg::ref_ptr<osg::Vec3Array> pos_;
  osg::ref_ptr<osg::Vec2Array> shift_, uv_;
  osg::ref_ptr<osg::Vec4Array> color_;
  osg::ref_ptr<osg::DrawArrays> draw_;
  osg::ref_ptr<osg::Uniform> viewport_;
};

}  // namespace dtwin::viewer
