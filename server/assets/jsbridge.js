// Qianbao sandbox: WeChat's JS bridge for a merchant's own pages in
// development, as WeChat's in-app browser injects the real one. Include it
// with <script src="{sandbox}/sandbox/v1/jsbridge.js"></script>.
//
// WeixinJSBridge.invoke('getBrandWCPayRequest', {appId, timeStamp, nonceStr,
// package: 'prepay_id=…', signType: 'RSA', paySign}, callback) and the
// JS-SDK's wx.chooseWXPay({timestamp, nonceStr, package, signType, paySign,
// success, fail, cancel, complete}) (appId from wx.config) send the
// parameters to the sandbox, which checks paySign against the merchant's
// registered key and the prepay_id against the app; the sandbox's cashier
// opens in a window for the browser's WeChat user, and the callback gets
// WeChat's result: get_brand_wcpay_request:ok, :cancel, or :fail with
// err_desc (and err_code, the sandbox's code for it).
(function () {
  'use strict';
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;

  function pay(params, done) {
    var answered = false;
    function answer(result) {
      if (answered) return;
      answered = true;
      done(result);
    }
    var fail = function (desc, code) {
      answer({ err_msg: 'get_brand_wcpay_request:fail', err_desc: desc, err_code: code });
    };
    // Sent as text, so that no preflight is needed from the merchant's origin.
    fetch(origin + '/sandbox/v1/bridge/pay', { method: 'POST', body: JSON.stringify(params || {}) })
      .then(function (response) { return response.json(); })
      .then(function (reply) {
        if (!reply.cashier) return fail(reply.err_desc, reply.err_code);
        var cashier = window.open(reply.cashier, 'qianbao_cashier', 'popup,width=420,height=760');
        if (!cashier) return fail('收银台窗口被浏览器拦截', 'JSAPI_POPUP_BLOCKED');
        function onMessage(event) {
          if (event.origin !== origin || !event.data || event.data.qianbao !== 'getBrandWCPayRequest') return;
          window.removeEventListener('message', onMessage);
          answer({ err_msg: 'get_brand_wcpay_request:' + event.data.result });
        }
        window.addEventListener('message', onMessage);
        // Closed without paying: WeChat's cancel.
        var watch = setInterval(function () {
          if (!cashier.closed) return;
          clearInterval(watch);
          window.removeEventListener('message', onMessage);
          answer({ err_msg: 'get_brand_wcpay_request:cancel' });
        }, 300);
      })
      .catch(function () { fail('无法连接沙盒服务器', 'NETWORK'); });
  }

  window.WeixinJSBridge = {
    invoke: function (name, params, callback) {
      var done = typeof callback === 'function' ? callback : function () {};
      if (name === 'getBrandWCPayRequest') return pay(params, done);
      done({ err_msg: name + ':fail', err_desc: 'the sandbox bridge answers getBrandWCPayRequest only' });
    },
  };

  var configured = {};
  var wx = window.wx || {};
  wx.config = function (options) { configured = options || {}; };
  wx.ready = function (f) { if (typeof f === 'function') f(); };
  wx.chooseWXPay = function (options) {
    var o = options || {};
    pay({
      appId: o.appId || configured.appId,
      timeStamp: String(o.timestamp),
      nonceStr: o.nonceStr,
      package: o.package,
      signType: o.signType,
      paySign: o.paySign,
    }, function (res) {
      var result = res.err_msg.split(':')[1];
      var out = { errMsg: 'chooseWXPay:' + result };
      if (res.err_desc) out.err_desc = res.err_desc;
      if (result === 'ok' && o.success) o.success(out);
      if (result === 'cancel' && o.cancel) o.cancel(out);
      if (result === 'fail' && o.fail) o.fail(out);
      if (o.complete) o.complete(out);
    });
  };
  window.wx = wx;
  document.dispatchEvent(new Event('WeixinJSBridgeReady'));
})();
