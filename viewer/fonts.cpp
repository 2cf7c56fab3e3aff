#include "viewer/fonts.hpp"

#include <fstream>

namespace dtwin::viewer {

osg::ref_ptr<osgText::Font> ui_font(bool mono) {
  const char* const sans[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                              "/usr/share/fonts/TTF/DejaVuSans.ttf",
                              "/usr/share/fonts/dejavu/DejaVuSans.ttf"};
  const char* const monos[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
                               "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
                               "/usr/share/fonts/dejavu/DejaVuSansMono.ttf"};
  for (const char* path : mono ? monos : sans) {
    if (!std::ifstream(path)) continue;
    if (auto f = osgText::readRefFontFile(path)) return f;
  }
  return osgText::Font::getDefaultFont();
}

}  // namespace dtwin::viewer
