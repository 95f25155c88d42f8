/** Minimal base styles so the wx-* elements lay out like WeChat built-ins. */
export const BASE_CSS = `wx-view,wx-scroll-view,wx-swiper,wx-swiper-item,wx-form,wx-rich-text,wx-web-view,wx-progress,wx-page{display:block}
wx-text,wx-label,wx-navigator,wx-icon,wx-slot{display:inline}
wx-slot{display:contents}
wx-image{display:inline-block;width:320px;height:240px;overflow:hidden}
wx-image>img{width:100%;height:100%;object-fit:fill}
wx-image[mode=aspectFit]>img{object-fit:contain}
wx-image[mode=aspectFill]>img{object-fit:cover}
wx-button{display:block;padding:8px 16px;margin:8px 0;text-align:center;border:1px solid #ccc;border-radius:5px;cursor:pointer;user-select:none}
wx-button[disabled]{opacity:.5;cursor:default}
wx-input,wx-textarea{display:block}
wx-input>input,wx-textarea>textarea{width:100%;box-sizing:border-box;font:inherit;border:0;outline:0;background:transparent}
wx-scroll-view{overflow:auto}
wx-scroll-view[scroll-x]:not([scroll-x=false]){overflow-x:auto;white-space:nowrap}
wx-progress{height:6px;background:#ebebeb}
.wx-progress-bar{height:100%;background:#09bb07}
wx-swiper{overflow:hidden;position:relative;height:150px}
wx-swiper-item{position:absolute;inset:0;overflow:hidden}
.wx-web-view-blocked{color:#c00;padding:12px}
[hidden]{display:none!important}`;
