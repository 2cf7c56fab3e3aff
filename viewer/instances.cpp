#include "viewer/instances.hpp"

#include <cmath>

#include <osg/Program>
#include <osg/Shader>
#include <osg/VertexAttribDivisor>

namespace dtwin::viewer {

namespace {

// attribute slots: clear of the ones some drivers alias to gl_Vertex, gl_Normal, gl_Color and
// the texture coordinates
constexpr unsigned kPose = 5, kSize = 6, kColor = 7, kTilt = 8;

const char* const kVertex = R"(#version 120
attribute vec4 inst_pose;   // x, y, z of the centre of the base; cos(yaw)
attribute vec4 inst_size;   // length, width, height; sin(yaw)
attribute vec4 inst_color;
attribute vec2 inst_tilt;   // cos(pitch), sin(pitch): about the box's own y, before the yaw
varying vec4 v_color;
vec3 tilt(vec3 p) {
  return vec3(inst_tilt.x * p.x + inst_tilt.y * p.z, p.y, inst_tilt.x * p.z - inst_tilt.y * p.x);
}
void main() {
  float c = inst_pose.w, s = inst_size.w;
  vec3 p = tilt(gl_Vertex.xyz * inst_size.xyz);
  vec3 w = vec3(c * p.x - s * p.y, s * p.x + c * p.y, p.z) + inst_pose.xyz;
  vec3 m = tilt(gl_Normal);
  vec3 n = vec3(c * m.x - s * m.y, s * m.x + c * m.y, m.z);
  // a fixed light from the front left, above: tops bright, sides darker
  float d = max(dot(n, normalize(vec3(-0.35, -0.55, 0.75))), 0.0);
  v_color = vec4(inst_color.rgb * (0.55 + 0.45 * d), inst_color.a);
  gl_Position = gl_ModelViewProjectionMatrix * vec4(w, 1.0);
}
)";

const char* const kFragment = R"(#version 120
varying vec4 v_color;
void main() { gl_FragColor = v_color; }
)";

// the unit cube: x and y in [-0.5, 0.5], z in [0, 1] (boxes stand on their base, so it has no
// bottom face), indexed so each corner of a face is shaded once
osg::ref_ptr<osg::Geometry> unit_cube(osg::DrawElementsUShort* faces) {
  auto g = osg::ref_ptr<osg::Geometry>(new osg::Geometry);
  auto v = osg::ref_ptr<osg::Vec3Array>(new osg::Vec3Array);
  auto n = osg::ref_ptr<osg::Vec3Array>(new osg::Vec3Array);
  auto face = [&](osg::Vec3 normal, osg::Vec3 a, osg::Vec3 b, osg::Vec3 c, osg::Vec3 d) {
    const auto k = static_cast<unsigned short>(v->size());
    for (const auto& p : {a, b, c, d}) {
      v->push_back(p);
      n->push_back(normal);
    }
    for (int i : {0, 1, 2, 0, 2, 3}) faces->push_back(static_cast<unsigned short>(k + i));
  };
  const float l = -0.5f, h = 0.5f;
  face({0, 0, 1}, {l, l, 1}, {h, l, 1}, {h, h, 1}, {l, h, 1});
  face({0, -1, 0}, {l, l, 0}, {h, l, 0}, {h, l, 1}, {l, l, 1});
  face({0, 1, 0}, {h, h, 0}, {l, h, 0}, {l, h, 1}, {h, h, 1});
  face({1, 0, 0}, {h, l, 0}, {h, h, 0}, {h, h, 1}, {h, l, 1});
  face({-1, 0, 0}, {l, h, 0}, {l, l, 0}, {l, l, 1}, {l, h, 1});
  g->setVertexArray(v.get());
  g->setNormalArray(n.get(), osg::Array::BIND_PER_VERTEX);
  return g;
}

osg::ref_ptr<osg::Program> box_program() {
  auto p = osg::ref_ptr<osg::Program>(new osg::Program);
  p->setName("dtwin_boxes");
  p->addShader(new osg::Shader(osg::Shader::VERTEX, kVertex));
  p->addShader(new osg::Shader(osg::Shader::FRAGMENT, kFragment));
  p->addBindAttribLocation("inst_pose", kPose);
  p->addBindAttribLocation("inst_size", kSize);
  p->addBindAttribLocation("inst_color", kColor);
  p->addBindAttribLocation("inst_tilt", kTilt);
  return p;
}

}  // namespace

InstancedBoxes::InstancedBoxes()
    : geode_(new osg::Geode),
      draw_(new osg::DrawElementsUShort(GL_TRIANGLES)),
      geom_(unit_cube(draw_.get())),
      pose_(new osg::Vec4Array),
      size_(new osg::Vec4Array),
      color_(new osg::Vec4Array),
      tilt_(new osg::Vec2Array) {
  geom_->setUseDisplayList(false);
  geom_->setUseVertexBufferObjects(true);
  geom_->setDataVariance(osg::Object::DYNAMIC);
  for (auto* a : {pose_.get(), size_.get(), color_.get()}) a->setDataVariance(osg::Object::DYNAMIC);
  tilt_->setDataVariance(osg::Object::DYNAMIC);
  geom_->setVertexAttribArray(kPose, pose_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->setVertexAttribArray(kSize, size_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->setVertexAttribArray(kColor, color_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->setVertexAttribArray(kTilt, tilt_.get(), osg::Array::BIND_PER_VERTEX);
  geom_->addPrimitiveSet(draw_.get());
  tops_ = new osg::DrawElementsUShort(GL_TRIANGLES, draw_->begin(), draw_->begin() + 6);
  geode_->addDrawable(geom_.get());

  osg::StateSet* ss = geode_->getOrCreateStateSet();
  ss->setAttributeAndModes(box_program().get());
  for (unsigned slot : {kPose, kSize, kColor, kTilt})
    ss->setAttribute(new osg::VertexAttribDivisor(slot, 1));
  ss->setMode(GL_CULL_FACE, osg::StateAttribute::ON);  // closed boxes: back faces never show
  geode_->setNodeMask(0);
}

void InstancedBoxes::reserve(std::size_t n) {
  if (n <= pose_->size()) return;
  std::size_t cap = pose_->empty() ? 64 : pose_->size();
  while (cap < n) cap *= 2;
  pose_->resize(cap);
  size_->resize(cap);
  color_->resize(cap);
  tilt_->resize(cap);
}

void InstancedBoxes::set(const std::vector<Box>& boxes) {
  reserve(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const Box& b = boxes[i];
    (*pose_)[i].set(b.x, b.y, b.z, std::cos(b.yaw));
    (*size_)[i].set(b.length, b.width, b.height, std::sin(b.yaw));
    (*color_)[i].set(b.color.r, b.color.g, b.color.b, b.color.a);
    (*tilt_)[i].set(std::cos(b.pitch), std::sin(b.pitch));
  }
  count_ = boxes.size();
  pose_->dirty();
  size_->dirty();
  color_->dirty();
  tilt_->dirty();
  draw_->setNumInstances(static_cast<int>(count_));
  tops_->setNumInstances(static_cast<int>(count_));
  geode_->setNodeMask(count_ > 0 ? ~0u : 0u);
}

void InstancedBoxes::set_color(std::size_t i, Rgba c) {
  if (i >= count_) return;
  osg::Vec4& v = (*color_)[i];
  if (v.r() == c.r && v.g() == c.g && v.b() == c.b && v.a() == c.a) return;
  v.set(c.r, c.g, c.b, c.a);
  color_->dirty();
}

void InstancedBoxes::set_detail(bool whole) {
  if (whole == whole_) return;
  whole_ = whole;
  geom_->setPrimitiveSet(0, whole ? draw_.get() : tops_.get());
}

void InstancedBoxes::set_bound(const osg::BoundingBox& b) {
  geom_->setInitialBound(b);
  geom_->dirtyBound();
  geode_->dirtyBound();
}

}  // namespace dtwin::viewer
