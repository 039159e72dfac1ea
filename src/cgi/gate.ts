import "./http.js";
