<?cs ####  login.cs: the sign-in form (Login.Email, Login.Error, Login.Next).
?><?cs include:"macros.cs" ?><?cs
def:page_content() ?>
<section class="login-card panel" aria-labelledby="login-title">
<div class="login-head">
<h1 id="login-title">Sign in to Tether</h1>
<p class="muted">Manage the connections your automation flows use.</p>
</div><?cs
if:Login.Error ?><?cs call:alert("error", Login.Error) ?><?cs /if ?>
<form class="form login-form" method="post" action="/login"><?cs
  call:csrf_input() ?>
<input type="hidden" name="next" value="<?cs var:Login.Next ?>"><?cs
  call:input_field("email", "Email", "email", Login.Email, "username", "", "", 1) ?><?cs
  call:input_field("password", "Password", "password", "", "current-password", "", "", 1) ?>
<button class="btn btn-primary btn-block" type="submit">Sign in</button>
</form>
<p class="login-foot muted">Forgot your password? Ask an administrator to reset it.</p>
</section><?cs
/def ?><?cs include:"layout.cs" ?>